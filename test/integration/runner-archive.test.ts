import { ChildProcess, spawn } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pack } from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentHash } from "../../contract/content-hash";
import { runnerBinary } from "../../host/isolation/process/runner-binary";
import { LIST_FIELDS_PER_REQUEST, RunnerClient } from "../../host/isolation/runner-client";
import { packArchive } from "../../host/isolation/ustar";

/**
 * cb-runner's untar and checksum requests, against the runner itself: started here as a plain process with a
 * temporary folder as its root (no sandbox around it), fed archives an attacker could craft.
 */
let base: string;
let root: string;
let runner: ChildProcess;
let client: RunnerClient;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), "codebeaker-untar-"));
  root = join(base, "workspace");
  mkdirSync(root);
  runner = spawn(await runnerBinary(), ["--root", root], { stdio: ["pipe", "pipe", "inherit"] });
  client = new RunnerClient(runner.stdin!, runner.stdout!, "untar-test");
  await client.ready();
});

afterAll(async () => {
  const exited = new Promise((resolve) => runner.once("exit", resolve));
  runner.stdin!.end(); // the runner ends when its input does
  await exited;
  rmSync(base, { recursive: true, force: true });
});

type Entry = {
  name: string;
  type?: "file" | "directory" | "symlink" | "link" | "character-device" | "fifo";
  linkname?: string;
  content?: string;
};

/** An archive made by tar-stream: any entry type and any name, as an attacker would write it. */
async function crafted(entries: Entry[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on("data", (chunk) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve) => archive.on("end", () => resolve()));
  for (const { content, ...header } of entries) archive.entry({ type: "file", devmajor: 1, devminor: 3, ...header }, content ?? "");
  archive.finalize();
  await ended;
  return Buffer.concat(chunks);
}

describe("cb-runner untar", () => {
  it("writes every file with its parent folders, reports its size and checksum, then deletes what is listed", async () => {
    const big = Buffer.alloc(3 << 20, 7); // travels in several frames
    const files = [
      { name: "main.py", content: Buffer.from("print('hi')\n") },
      { name: "app/lib/util.py", content: Buffer.from("X = 1\n") },
      { name: "data/big.bin", content: big },
      { name: `${Array.from({ length: 12 }, (_, i) => `level-${i}-of-a-deep-tree`).join("/")}/deep.txt`, content: Buffer.from("deep\n") },
    ];
    await client.writeFile(`${root}/old.txt`, Buffer.from("old"), "create");
    const outcomes = await client.unpack(await packArchive(files), [`${root}/old.txt`, `${root}/never-was.txt`]);
    expect(outcomes).toEqual([
      ...files.map((file) => ({
        status: "written",
        path: `${root}/${file.name}`,
        bytes: file.content.length,
        checksum: contentHash(file.content),
      })),
      { status: "deleted", path: `${root}/old.txt`, type: "file" },
      { status: "deleted", path: `${root}/never-was.txt`, type: "missing" },
    ]);
    for (const file of files) expect(readFileSync(join(root, file.name)).equals(file.content)).toBe(true);
    expect(existsSync(join(root, "old.txt"))).toBe(false);
    expect(await client.checksums([`${root}/main.py`, `${root}/data/big.bin`, `${root}/missing.txt`])).toEqual([
      { bytes: 12, checksum: contentHash(files[0]!.content) },
      { bytes: big.length, checksum: contentHash(big) },
      null,
    ]);
    const changed = Buffer.concat([big.subarray(1), Buffer.from([8])]); // same size, other content
    await client.writeFile(`${root}/data/big.bin`, changed, "create");
    expect(await client.checksums([`${root}/data/big.bin`])).toEqual([{ bytes: big.length, checksum: contentHash(changed) }]);
  });

  it("creates no link, hard link, device or FIFO, and goes on with the files after them", async () => {
    const outcomes = await client.unpack(
      await crafted([
        { name: "to-etc", type: "symlink", linkname: "/etc" },
        { name: "hard-passwd", type: "link", linkname: "/etc/passwd" },
        { name: "null-device", type: "character-device" },
        { name: "pipe", type: "fifo" },
        { name: "after.txt", content: "still written" },
      ]),
      [],
    );
    expect(outcomes.map((outcome) => [outcome.path.slice(root.length + 1), outcome.status])).toEqual([
      ["to-etc", "failed"],
      ["hard-passwd", "failed"],
      ["null-device", "failed"],
      ["pipe", "failed"],
      ["after.txt", "written"],
    ]);
    for (const name of ["to-etc", "hard-passwd", "null-device", "pipe"]) expect(existsSync(join(root, name))).toBe(false);
  });

  it("refuses names that climb out of the root or start elsewhere, and writes nothing outside it", async () => {
    const outcomes = await client.unpack(
      await crafted([
        { name: "../escaped.txt", content: "out" },
        { name: "inside/../../escaped-too.txt", content: "out" },
        { name: `${base}/absolute.txt`, content: "out" },
      ]),
      [`${root}/../${"escaped-delete"}`],
    );
    expect(outcomes.map((outcome) => outcome.status === "failed" && outcome.error)).toEqual([
      "OutsideWorkspace",
      "OutsideWorkspace",
      "OutsideWorkspace",
      "OutsideWorkspace",
    ]);
    for (const name of ["escaped.txt", "escaped-too.txt", "absolute.txt"]) expect(existsSync(join(base, name))).toBe(false);
  });

  it("refuses to write through a symbolic link a program left on the way", async () => {
    const outside = join(base, "outside");
    mkdirSync(outside);
    symlinkSync(outside, join(root, "planted"));
    symlinkSync(join(outside, "target.txt"), join(root, "planted-file"));
    const outcomes = await client.unpack(
      await packArchive([
        { name: "planted/evil.txt", content: Buffer.from("x") },
        { name: "planted-file", content: Buffer.from("x") },
      ]),
      ["planted/evil.txt"].map((name) => `${root}/${name}`),
    );
    expect(outcomes.map((outcome) => outcome.status === "failed" && outcome.error)).toEqual(["Symlink", "Symlink", "Symlink"]);
    expect(existsSync(join(outside, "evil.txt"))).toBe(false);
    expect(existsSync(join(outside, "target.txt"))).toBe(false);
    expect(lstatSync(join(root, "planted-file")).isSymbolicLink()).toBe(true);
    expect(await client.checksums([`${root}/planted-file`])).toEqual([null]);
  });

  it("deletes and checks more paths than one runner request holds", async () => {
    const count = LIST_FIELDS_PER_REQUEST + 500;
    const files = Array.from({ length: count }, (_, i) => ({ name: `many/file${i}.txt`, content: Buffer.from(`${i}`) }));
    await client.unpack(await packArchive(files), []);
    const paths = files.map((file) => `${root}/${file.name}`);
    const sums = await client.checksums(paths);
    expect(sums).toHaveLength(count);
    expect(sums.at(-1)).toEqual({ bytes: String(count - 1).length, checksum: contentHash(Buffer.from(`${count - 1}`)) });
    const outcomes = await client.unpack(await packArchive([]), paths);
    expect(outcomes.filter((outcome) => outcome.status === "deleted" && outcome.type === "file")).toHaveLength(count);
    expect(await client.list(`${root}/many`)).toEqual([]);
  });

  it("refuses a request with more fields than it reads, rather than acting on part of it", async () => {
    const raw = client as unknown as { request(fields: Array<[string, string]>, path: string): Promise<unknown> };
    const fields: Array<[string, string]> = [
      ["op", "checksum"],
      ...Array.from({ length: 5000 }, (_, i): [string, string] => ["path", `${root}/f${i}`]),
    ];
    await expect(raw.request(fields, root)).rejects.toMatchObject({ name: "SandboxFileError", detail: "BadRequest" });
    expect(await client.checksums([`${root}/main.py`])).toHaveLength(1);
  });

  it("stops at a corrupt header with an error, and keeps answering", async () => {
    const archive = await packArchive([{ name: "fine.txt", content: Buffer.from("fine") }]);
    archive[148] = "9".charCodeAt(0); // the header's checksum no longer matches
    await expect(client.unpack(archive, [])).rejects.toThrow(/could not read the archive/);
    expect(await client.list(root)).toEqual(expect.any(Array));
  });
});
