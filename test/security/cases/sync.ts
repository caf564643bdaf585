import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { RpcError } from "../../../contract/protocol/errors";
import type { WorkspaceSyncResult } from "../../../contract/protocol/session";
import { AttemptContext, EscapeCase, expectInvalidParams, shell } from "../context";

/**
 * workspace.sync travels as one archive unpacked by the runner: these attempts go through the sync API, as an
 * editor's mirror would send them, and must be refused or contained like the file commands.
 */
type Files = Array<{ path: string; content: string; encoding?: "utf8" | "base64" }>;

const sync = async (context: AttemptContext, write: Files, remove: string[] = []) =>
  (await context.host.dispatcher.call(
    "workspace.sync",
    { sessionId: context.session.id, write, delete: remove },
    { notify() {} },
  )) as WorkspaceSyncResult;

async function refusedSync(context: AttemptContext, write: Files, remove: string[] = []): Promise<RpcError> {
  try {
    await sync(context, write, remove);
  } catch (error) {
    if (error instanceof RpcError) return error;
    throw error;
  }
  throw new Error(`the host accepted a sync of ${JSON.stringify({ write: write.map((file) => file.path), remove })}`);
}

const errorsOf = (result: WorkspaceSyncResult) => Object.fromEntries(result.failed.map((failure) => [failure.path, failure.error]));

export const syncCases: EscapeCase[] = [
  {
    name: "workspace.sync refuses paths that leave /workspace, in writes and in deletes, naming the field",
    async attempt(context) {
      for (const path of ["../etc/passwd", "/etc/passwd", "/workspace/../etc/cron.d/x", "a/../../x", "/workspacex/a"]) {
        expectInvalidParams(await refusedSync(context, [{ path, content: "x" }]), /write\[0\]\.path/);
        expectInvalidParams(await refusedSync(context, [], [path]), /delete\[0\]/);
      }
    },
  },
  {
    name: "workspace.sync writes and deletes nothing through links a program planted, and writes the rest",
    async attempt(context) {
      const canary = context.canaries[0]!;
      await shell(
        context,
        `mkdir -p sub && ln -sfn /etc etc && ln -sfn .. up && ln -sfn /tmp t && ln -sfn ${canary.path} canary && ln -sfn /etc sub/deep`,
      );
      const result = await sync(
        context,
        ["etc/evil", "up/escaped", "t/planted", "canary", "sub/deep/evil", "ok.txt"].map((path) => ({ path, content: "overwritten" })),
        ["etc/passwd", "up/etc/passwd", "sub/deep/hostname"],
      );
      expect(errorsOf(result)).toEqual({
        "/workspace/etc/evil": "Symlink",
        "/workspace/up/escaped": "Symlink",
        "/workspace/t/planted": "Symlink",
        "/workspace/canary": "Symlink",
        "/workspace/sub/deep/evil": "Symlink",
        "/workspace/etc/passwd": "Symlink",
        "/workspace/up/etc/passwd": "Symlink",
        "/workspace/sub/deep/hostname": "Symlink",
      });
      expect(result).toMatchObject({ written: 1, deleted: 0 });
      expect(readFileSync(canary.path, "utf8")).toBe(canary.content);
      const seen = await shell(
        context,
        "cat ok.txt; echo; test -e /tmp/planted || echo 'no /tmp/planted'; test -e /etc/evil || echo 'no /etc/evil'; test -L canary && echo 'canary is still a link'",
      );
      expect(seen.stdout).toBe("overwritten\nno /tmp/planted\nno /etc/evil\ncanary is still a link\n");
    },
  },
  {
    name: "a file the sync's manifest trusts, swapped for a link by a program, is not written through",
    async attempt(context) {
      expect(await sync(context, [{ path: "trusted.txt", content: "mine" }])).toMatchObject({ written: 1, failed: [] });
      await shell(context, "rm trusted.txt && ln -s /etc/passwd trusted.txt");
      const again = await sync(context, [{ path: "trusted.txt", content: "mine" }]);
      expect(errorsOf(again)).toEqual({ "/workspace/trusted.txt": "Symlink" });
      expect((await shell(context, "readlink trusted.txt")).stdout).toBe("/etc/passwd\n");
    },
  },
  {
    name: "very long names are refused or contained, and the rest of the sync goes through",
    async attempt(context) {
      const longComponent = `${"n".repeat(300)}.txt`;
      const deepPath = Array.from({ length: 60 }, (_, i) => `${"d".repeat(90)}${i}`).join("/") + "/deep.txt";
      const result = await sync(context, [
        { path: longComponent, content: "x" },
        { path: deepPath, content: "deep" },
        { path: "after-long-names.txt", content: "fine" },
      ]);
      expect(errorsOf(result)[`/workspace/${longComponent}`]).toBeDefined(); // no file system takes a 304-byte name
      expect(result.written).toBeGreaterThanOrEqual(1);
      expect(errorsOf(result)["/workspace/after-long-names.txt"]).toBeUndefined();
      // Whatever was made stays under /workspace: nothing new anywhere else the sandbox user may write.
      const seen = await shell(
        context,
        "cat after-long-names.txt; find / -path /proc -prune -o -name deep.txt -print 2>/dev/null | grep -v '^/workspace/' || true",
      );
      expect(seen.stdout).toBe("fine");
    },
  },
  {
    name: "a file larger than /workspace fails with NoSpace, leaves no part behind, and the files after it are written",
    ownSession: { memoryLimitMB: 64 },
    async attempt(context) {
      const huge = Buffer.alloc((context.session.limits.workspaceMb + 4) << 20, 0x41).toString("base64");
      const result = await sync(context, [
        { path: "huge.bin", content: huge, encoding: "base64" },
        { path: "after-huge.txt", content: "written" },
      ]);
      expect(errorsOf(result)).toEqual({ "/workspace/huge.bin": "NoSpace" });
      expect(result.written).toBe(1);
      const seen = await shell(context, "ls; cat after-huge.txt");
      expect(seen.stdout).toBe("after-huge.txt\nwritten");
    },
  },
];
