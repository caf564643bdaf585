import { describe, expect, it } from "vitest";
import type { Sandbox } from "../../host/isolation/backend";
import { WorkspaceSyncParams } from "../../contract/protocol/session";
import type { Session } from "../../host/sessions/session";
import { decodeChange, syncWorkspace } from "../../host/mirror/workspace-sync";
import { createSession, execute, useHost } from "./helpers";

/** Counts what a session's syncs send to its runner: archives (their size) and checksum requests. */
function watch(session: Session) {
  const sandbox = session.sandbox as Sandbox & Record<string, unknown>;
  const sent = { archives: [] as number[], checked: [] as string[][] };
  const unpack = sandbox.unpack;
  const checksums = sandbox.checksums;
  sandbox.unpack = (archive, deletes) => (sent.archives.push(archive.length), unpack(archive, deletes));
  sandbox.checksums = (paths) => (sent.checked.push(paths), checksums(paths));
  return sent;
}

const sync = (session: Session, params: { write?: Array<{ path: string; content: string }>; delete?: string[] }) =>
  syncWorkspace(session, decodeChange(WorkspaceSyncParams.parse({ sessionId: session.id, ...params })));

const tree = (count: number, changed = -1) =>
  Array.from({ length: count }, (_, i) => ({
    path: `src/module${i % 10}/file${i}.py`,
    content: `VALUE = ${i === changed ? "'changed'" : i}\n`,
  }));

describe("workspace.sync", () => {
  const host = useHost();

  it("sends a change as one archive whose size follows the change, not the tree", async () => {
    const session = await createSession(host(), { language: "python" });
    try {
      const sent = watch(session);
      expect(await sync(session, { write: tree(300) })).toMatchObject({ written: 300, failed: [] });
      expect(sent.archives).toHaveLength(1);
      expect(await sync(session, { write: [tree(300, 7)[7]!] })).toMatchObject({ written: 1, failed: [] });
      expect(sent.archives[1]).toBe(512 + 512 + 1024); // one header, one block of content, the end
      const answer = await execute(session, {
        type: "execute_shell",
        commandName: "cat",
        args: ["src/module7/file7.py", "src/module8/file8.py"],
      });
      expect(answer.stdout).toBe("VALUE = 'changed'\nVALUE = 8\n");
    } finally {
      await host().sessions.close(session.id, "test done");
    }
  });

  it("does not send again what the session holds unchanged, but does when a program changed or removed it since", async () => {
    const session = await createSession(host(), { language: "python" });
    try {
      const sent = watch(session);
      const files = tree(20);
      await sync(session, { write: files });
      expect(await sync(session, { write: files })).toEqual({ written: 20, deleted: 0, bytes: expect.any(Number), failed: [] });
      expect(sent.archives).toHaveLength(1); // the second sync only checked
      expect(sent.checked[0]).toHaveLength(20);

      // Same size, other content; and one file removed: both are sent again, and only they.
      await execute(session, {
        type: "execute_shell",
        commandName: "sh",
        args: ["-c", "echo 'VALUE = 9' > src/module3/file3.py && rm src/module4/file4.py"],
      });
      await sync(session, { write: files });
      expect(sent.archives).toHaveLength(2);
      expect(sent.archives[1]).toBe(2 * (512 + 512) + 1024);
      const answer = await execute(session, {
        type: "execute_shell",
        commandName: "cat",
        args: ["src/module3/file3.py", "src/module4/file4.py"],
      });
      expect(answer.stdout).toBe("VALUE = 3\nVALUE = 4\n");
    } finally {
      await host().sessions.close(session.id, "test done");
    }
  });

  it("writes, then deletes, in one request; a path written twice ends with its last content", async () => {
    const session = await createSession(host(), { language: "python" });
    try {
      const result = await sync(session, {
        write: [
          { path: "a/one.txt", content: "first" },
          { path: "a/one.txt", content: "second" },
          { path: "b/gone.txt", content: "written, then deleted" },
        ],
        delete: ["b", "never-was.txt"],
      });
      expect(result).toEqual({ written: 3, deleted: 2, bytes: 5 + 6 + 21, failed: [] });
      const listing = await execute(session, { type: "execute_shell", commandName: "sh", args: ["-c", "cat a/one.txt; ls"] });
      expect(listing.stdout).toBe("seconda\n");
      expect(await sync(session, { write: [{ path: "/workspace", content: "x" }] })).toMatchObject({
        failed: [{ path: "/workspace", error: "IsADirectory" }],
      });
    } finally {
      await host().sessions.close(session.id, "test done");
    }
  });
});
