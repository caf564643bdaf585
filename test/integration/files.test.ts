import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Session } from "../../host/sessions/session";
import { createSession, execute, useHost } from "./helpers";

describe("file commands", () => {
  const host = useHost({ limits: { workspaceMb: 4 } });
  let session: Session;

  beforeAll(async () => {
    session = await createSession(host(), { language: "python" });
  });
  afterAll(() => host().sessions.close(session.id, "test done"));

  it("writes, appends and reads back text, with relative paths resolved under /workspace", async () => {
    const write = await execute(session, { type: "write_file", path: "notes/a.txt", content: "héllo\n", mode: "Create" });
    expect(write).toMatchObject({ success: true, result: { path: "/workspace/notes/a.txt", bytes: 7 }, error: null });
    expect(write).toMatchObject({ status: "Success", exitCode: null, metrics: null, stages: null });
    await execute(session, { type: "write_file", path: "/workspace/notes/a.txt", content: "world\n", mode: "append" });
    const read = await execute(session, { type: "read_file", path: "/workspace/notes/a.txt" });
    expect(read.result).toEqual({ content: "héllo\nworld\n", bytes: 13, path: "/workspace/notes/a.txt", encoding: "utf8" });
    const created = await execute(session, { type: "write_file", path: "notes/a.txt", content: "new" });
    expect(created.result).toMatchObject({ bytes: 3 });
    expect((await execute(session, { type: "read_file", path: "notes/a.txt" })).result).toMatchObject({ content: "new" });
  });

  it("carries binary content as base64 both ways, and refuses to read it as text", async () => {
    const bytes = randomBytes(70_000);
    await execute(session, { type: "write_file", path: "blob.bin", content: bytes.toString("base64"), encoding: "base64" });
    const back = await execute(session, { type: "read_file", path: "blob.bin", encoding: "base64" });
    expect(Buffer.from((back.result as { content: string }).content, "base64").equals(bytes)).toBe(true);
    const sum = await execute(session, {
      type: "execute_code",
      code: "import hashlib\nprint(hashlib.sha256(open('blob.bin','rb').read()).hexdigest())",
    });
    expect(sum.result).toBe(createHash("sha256").update(bytes).digest("hex"));
    const asText = await execute(session, { type: "read_file", path: "blob.bin" });
    expect(asText).toMatchObject({ success: false, status: "FileError", errorCode: "NotUtf8", result: null });
  });

  it("creates directories, copies, lists and deletes", async () => {
    expect((await execute(session, { type: "create_directory", path: "/workspace/data/raw" })).result).toEqual({
      path: "/workspace/data/raw",
      created: true,
    });
    expect((await execute(session, { type: "create_directory", path: "/workspace/data/raw" })).result).toMatchObject({ created: false });
    await execute(session, { type: "write_file", path: "/workspace/data/raw/one.csv", content: "name,age\nAda,36\n" });
    const copy = await execute(session, {
      type: "copy_file",
      sourcePath: "/workspace/data/raw/one.csv",
      destinationPath: "/workspace/data/copy/two.csv",
    });
    expect(copy.result).toEqual({ sourcePath: "/workspace/data/raw/one.csv", destinationPath: "/workspace/data/copy/two.csv", bytes: 16 });

    const listing = await execute(session, { type: "list_directory", path: "/workspace/data" });
    const entries = (listing.result as { entries: Array<Record<string, unknown>> }).entries;
    expect(entries.map((entry) => [entry.name, entry.type, entry.path])).toEqual([
      ["copy", "directory", "/workspace/data/copy"],
      ["raw", "directory", "/workspace/data/raw"],
    ]);
    const files = await execute(session, { type: "list_directory", path: "data/copy" });
    expect(files.result).toMatchObject({ count: 1, entries: [{ name: "two.csv", type: "file", size: 16 }] });
    expect(Date.parse((files.result as { entries: Array<{ modifiedAt: string }> }).entries[0]!.modifiedAt)).toBeGreaterThan(0);

    expect((await execute(session, { type: "delete_file", path: "/workspace/data/copy/two.csv" })).result).toEqual({
      path: "/workspace/data/copy/two.csv",
      deleted: true,
      type: "file",
    });
    expect((await execute(session, { type: "delete_file", path: "/workspace/data" })).result).toMatchObject({ type: "directory" });
    const gone = await execute(session, { type: "list_directory", path: "/workspace/data" });
    expect(gone).toMatchObject({ success: false, errorCode: "NotFound" });
  });

  it("answers a missing file as the guide does", async () => {
    const answer = await execute(session, { type: "read_file", path: "/workspace/missing.py" });
    expect(answer).toMatchObject({ success: false, result: null, error: "File not found: /workspace/missing.py" });
    expect(answer).toMatchObject({ status: "FileError", errorCode: "NotFound" });
    expect(typeof answer.durationMs).toBe("number");
  });

  it("never follows a symbolic link, so a link cannot lead out of /workspace", async () => {
    const made = await execute(session, {
      type: "execute_shell",
      commandName: "sh",
      args: ["-c", "ln -s /etc etc-link && ln -s /etc/passwd passwd-link && ln -s notes inner-link"],
    });
    expect(made.status).toBe("Success");
    const attempts = [
      { type: "read_file", path: "/workspace/passwd-link" },
      { type: "read_file", path: "/workspace/etc-link/passwd" },
      { type: "write_file", path: "/workspace/etc-link/evil", content: "x" },
      { type: "write_file", path: "/workspace/passwd-link", content: "x" },
      { type: "copy_file", sourcePath: "/workspace/passwd-link", destinationPath: "/workspace/stolen" },
      { type: "copy_file", sourcePath: "/workspace/notes/a.txt", destinationPath: "/workspace/etc-link/x" },
      { type: "list_directory", path: "/workspace/etc-link" },
      { type: "create_directory", path: "/workspace/etc-link/sub" },
      { type: "delete_file", path: "/workspace/etc-link/hostname" },
      { type: "read_file", path: "/workspace/inner-link/a.txt" },
    ];
    for (const command of attempts) {
      const answer = await execute(session, command);
      expect({ command, errorCode: answer.errorCode }).toEqual({ command, errorCode: "Symlink" });
      expect(answer.error).toMatch(/symbolic link/);
    }
    const listing = await execute(session, { type: "list_directory", path: "/workspace" });
    expect((listing.result as { entries: Array<{ name: string; type: string }> }).entries).toContainEqual(
      expect.objectContaining({ name: "etc-link", type: "symlink" }),
    );
    expect((await execute(session, { type: "delete_file", path: "/workspace/etc-link" })).result).toMatchObject({ deleted: true });
    const etc = await execute(session, { type: "execute_shell", commandName: "test", args: ["-f", "/etc/passwd"] });
    expect(etc.exitCode).toBe(0); // deleting the link left its target alone
  });

  it("lists, reads and deletes a file whose name is not UTF-8, by the escaped name the listing gives", async () => {
    const made = await execute(session, {
      type: "execute_code",
      code: "open(b'/workspace/bad\\xff\\xc3(.txt', 'wb').write(b'odd name')\nprint('made')",
    });
    expect(made.result).toBe("made");
    const listing = await execute(session, { type: "list_directory", path: "/workspace" });
    const entry = (listing.result as { entries: Array<{ name: string; path: string }> }).entries.find((e) => e.name.startsWith("bad"));
    expect(entry?.name).toBe("bad\udcff\udcc3(.txt"); // each byte that is not UTF-8 as U+DC80 + byte
    // What a client gets through JSON and sends back.
    const path = (JSON.parse(JSON.stringify({ path: entry!.path })) as { path: string }).path;
    expect((await execute(session, { type: "read_file", path })).result).toMatchObject({ content: "odd name", bytes: 8 });
    expect((await execute(session, { type: "delete_file", path })).result).toMatchObject({ deleted: true, type: "file" });
    const gone = await execute(session, {
      type: "execute_code",
      code: "import os\nprint(any(n.startswith(b'bad') for n in os.listdir(b'/workspace')))",
    });
    expect(gone.result).toBe("False");
  });

  it("refuses to treat a directory as a file and /workspace as deletable", async () => {
    expect((await execute(session, { type: "read_file", path: "/workspace/notes" })).errorCode).toBe("IsADirectory");
    expect((await execute(session, { type: "list_directory", path: "/workspace/notes/a.txt" })).errorCode).toBe("NotADirectory");
    expect((await execute(session, { type: "delete_file", path: "/workspace" })).errorCode).toBe("WorkspaceRoot");
  });

  it("says when /workspace is full", async () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 1).toString("base64");
    const answer = await execute(session, { type: "write_file", path: "big.bin", content: big, encoding: "base64" });
    expect(answer).toMatchObject({
      success: false,
      errorCode: "NoSpace",
      error: "no space left in /workspace (it holds 4 MB) to write /workspace/big.bin",
    });
  });
});
