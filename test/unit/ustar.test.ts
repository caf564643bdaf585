import { Readable } from "node:stream";
import { extract } from "tar-stream";
import { describe, expect, it } from "vitest";
import { ArchiveFile, packArchive } from "../../host/isolation/ustar";

/** Reads an archive back with tar-stream, an independent reader: each entry's name, type and content. */
async function unpack(archive: Buffer): Promise<Array<{ name: string; type: string; content: Buffer }>> {
  const entries: Array<{ name: string; type: string; content: Buffer }> = [];
  const reader = extract();
  reader.on("entry", (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk) => chunks.push(chunk as Buffer));
    stream.on("end", () => {
      entries.push({ name: header.name, type: header.type ?? "", content: Buffer.concat(chunks) });
      next();
    });
  });
  const done = new Promise<void>((resolve, reject) => {
    reader.on("finish", resolve);
    reader.on("error", reject);
  });
  Readable.from([archive]).pipe(reader);
  await done;
  return entries;
}

const deep = Array.from({ length: 30 }, (_, i) => `directory-${i}`).join("/");

describe("packArchive", () => {
  it("writes regular files that another tar reader reads back byte for byte, whatever their size", async () => {
    const files: ArchiveFile[] = [
      { name: "main.py", content: Buffer.from("print('hi')\n") },
      { name: "empty.txt", content: Buffer.alloc(0) },
      { name: "app/data.bin", content: Buffer.from(Array.from({ length: 1300 }, (_, i) => i % 256)) },
      { name: "exactly-one-block", content: Buffer.alloc(512, 0x61) },
      { name: "ünïcode/ファイル.txt", content: Buffer.from("utf-8 names\n") },
    ];
    const archive = await packArchive(files);
    expect(archive.length % 512).toBe(0);
    expect(await unpack(archive)).toEqual(files.map((file) => ({ ...file, type: "file" })));
  });

  it("keeps a path longer than 100 bytes in ustar's prefix, and one longer than ustar allows in a pax header", async () => {
    const files: ArchiveFile[] = [
      { name: `${"p".repeat(120)}/${"n".repeat(90)}`, content: Buffer.from("split\n") },
      { name: `${deep}/file.txt`, content: Buffer.from("pax\n") },
      { name: `${"x".repeat(300)}.txt`, content: Buffer.from("one long component\n") },
    ];
    expect(await unpack(await packArchive(files))).toEqual(files.map((file) => ({ ...file, type: "file" })));
  });

  it("ends with the two zero blocks of an archive's end, and holds nothing for no files", async () => {
    expect(await packArchive([])).toEqual(Buffer.alloc(1024));
    expect((await packArchive([{ name: "a", content: Buffer.from("a") }])).subarray(-1024)).toEqual(Buffer.alloc(1024));
  });
});
