import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorkspaceSyncParams } from "../../contract/protocol/session";
import type { Session } from "../../host/sessions/session";
import { decodeChange, syncWorkspace } from "../../host/mirror/workspace-sync";
import { createSession, execute, useHost } from "./helpers";

/**
 * What is in /workspace is the program's to make: a named pipe, a hard link, a nearly full disk. File commands
 * must answer at once whatever they find there, and never damage a file they were asked to copy.
 */
describe.each(["docker", "process"] as const)("file commands on what a program left in /workspace (%s)", (isolation) => {
  const host = useHost({ isolation, limits: { workspaceMb: 4 } });
  let session: Session;

  beforeAll(async () => {
    session = await createSession(host(), { language: "python" });
  });
  afterAll(() => host().sessions.close(session.id, "test done"));

  const shell = (script: string) => execute(session, { type: "execute_shell", commandName: "sh", args: ["-c", script] });
  const alive = async () => expect((await execute(session, { type: "execute_code", code: "print('alive')" })).result).toBe("alive");

  it("refuses a named pipe at once in every file command, and the session still answers", async () => {
    expect((await shell("mkfifo pipe.py && echo made")).stdout).toBe("made\n");
    const refused = [
      { type: "read_file", path: "pipe.py" },
      { type: "write_file", path: "pipe.py", content: "print(1)" },
      { type: "write_file", path: "pipe.py", content: "print(1)", mode: "Append" },
      { type: "copy_file", sourcePath: "pipe.py", destinationPath: "copy.py" },
      { type: "copy_file", sourcePath: "main.py", destinationPath: "pipe.py" },
      { type: "run_file", path: "pipe.py" },
      { type: "execute_code", code: "print(1)", fileName: "pipe.py" },
    ];
    await execute(session, { type: "write_file", path: "main.py", content: "print('main')" });
    for (const command of refused) {
      const answer = await execute(session, command);
      expect({ command, status: answer.status, errorCode: answer.errorCode }).toEqual({
        command,
        status: "FileError",
        errorCode: "NotARegularFile",
      });
      expect(answer.error).toMatch(/pipe\.py is not a regular file/);
    }
    const sync = await syncWorkspace(
      session,
      decodeChange(
        WorkspaceSyncParams.parse({
          sessionId: session.id,
          write: [
            { path: "/workspace/pipe.py", content: "print(2)" },
            { path: "/workspace/beside.py", content: "print(3)" },
          ],
        }),
      ),
    );
    expect(sync).toMatchObject({ written: 1, failed: [{ path: "/workspace/pipe.py", error: "NotARegularFile" }] });
    await alive();
    const listing = await execute(session, { type: "list_directory", path: "/workspace" });
    expect((listing.result as { entries: Array<{ name: string; type: string }> }).entries).toContainEqual(
      expect.objectContaining({ name: "pipe.py", type: "other" }),
    );
    expect((await execute(session, { type: "delete_file", path: "pipe.py" })).result).toMatchObject({ deleted: true });
  });

  it("copies a file onto itself, or onto a hard link to it, without emptying it", async () => {
    await execute(session, { type: "write_file", path: "a.txt", content: "keep me" });
    expect((await shell("ln a.txt hard.txt && echo linked")).stdout).toBe("linked\n");
    for (const destinationPath of ["/workspace/./a.txt", "a.txt", "hard.txt"]) {
      const copy = await execute(session, { type: "copy_file", sourcePath: "a.txt", destinationPath });
      expect(copy).toMatchObject({ success: true, result: { bytes: 7 } });
      expect((await execute(session, { type: "read_file", path: "a.txt" })).result).toMatchObject({ content: "keep me" });
    }
  });

  it("leaves no partial destination when a copy fails", async () => {
    const big = Buffer.alloc(3 << 20, 7).toString("base64");
    expect((await execute(session, { type: "write_file", path: "big.bin", content: big, encoding: "base64" })).success).toBe(true);
    await execute(session, { type: "write_file", path: "old.bin", content: "what was there" });
    for (const destinationPath of ["new.bin", "old.bin"]) {
      const copy = await execute(session, { type: "copy_file", sourcePath: "big.bin", destinationPath });
      expect(copy).toMatchObject({ success: false, status: "FileError", errorCode: "NoSpace" });
    }
    const names = (
      (await execute(session, { type: "list_directory", path: "/workspace" })).result as { entries: Array<{ name: string }> }
    ).entries.map((entry) => entry.name);
    expect(names).not.toContain("new.bin");
    expect(names.filter((name) => name.startsWith("."))).toEqual([]);
    expect((await execute(session, { type: "read_file", path: "old.bin" })).result).toMatchObject({ content: "what was there" });
    await alive();
  });
});
