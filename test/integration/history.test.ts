import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { HistoryCompareResult, HistoryGetResult, HistoryListResult, HistoryRollbackResult } from "../../contract/protocol/history";
import type { RepeatStats } from "../../contract/protocol/repeat";
import type { SessionCreateResult, SessionExecuteResult } from "../../contract/protocol/session";
import { useHost } from "./helpers";
import { startServer, stop } from "./processes";

function client(host: ReturnType<ReturnType<typeof useHost>>) {
  const notifications: Array<{ method: string; params: any }> = [];
  const context = { notify: (method: string, params: unknown) => notifications.push({ method, params }) };
  const call = <T>(method: string, params: unknown) => host.dispatcher.call(method, params, context) as Promise<T>;
  return { notifications, call };
}

describe("run history through the host's API", () => {
  const historyDir = mkdtempSync(join(tmpdir(), "codebeaker-history-api-"));
  const host = useHost({}, { dir: historyDir });

  it("makes each run a version of its file, with how it went and where it failed", async () => {
    const { call, notifications } = client(host());
    const { sessionId } = await call<SessionCreateResult>("session.create", { language: "python", workspace: "project-a" });
    const v1 = "print('hello')\n";
    const v2 = "x = 1\nprint(x / 0)\n";
    await call<SessionExecuteResult>("session.execute", { sessionId, command: { type: "execute_code", code: v1 } });
    await call<SessionExecuteResult>("session.execute", { sessionId, command: { type: "execute_code", code: v2 } });

    const listed = await call<HistoryListResult>("history.list", { workspace: "project-a" });
    expect(listed.runs.map((run) => [run.path, run.version, run.status])).toEqual([
      ["main.py", 2, "RuntimeError"],
      ["main.py", 1, "Success"],
    ]);
    const [failed, ok] = listed.runs;
    expect(ok).toMatchObject({ language: "python", runtimeVersion: "3.13", exitCode: 0, stdoutHead: "hello\n", error: null, sessionId });
    expect(ok!.metrics!.wallMs).toBeGreaterThan(0);
    expect(failed).toMatchObject({ errorType: "ZeroDivisionError", location: { path: "main.py", line: 2 } });
    expect(failed!.error).toMatch(/^RuntimeError: the program exited with code 1/);
    expect(notifications.filter((n) => n.method === "history.changed").map((n) => n.params.run.version)).toEqual([1, 2]);

    const got = await call<HistoryGetResult>("history.get", { workspace: "project-a", path: "main.py", version: 1 });
    expect(got.contents).toEqual([{ path: "main.py", content: v1, encoding: "utf8" }]);
    expect((await call<HistoryGetResult>("history.get", { workspace: "project-a", id: failed!.id })).run.version).toBe(2);

    const compared = await call<HistoryCompareResult>("history.compare", { workspace: "project-a", path: "main.py", from: 1 });
    expect(compared).toMatchObject({ from: { version: 1, content: v1 }, to: { version: 2, content: v2 }, added: 2, removed: 1 });
    expect(compared.diff).toBe("--- a/main.py\n+++ b/main.py\n@@ -1 +1,2 @@\n-print('hello')\n+x = 1\n+print(x / 0)\n");

    // Other workspaces are apart.
    expect((await call<HistoryListResult>("history.list", { workspace: "project-b" })).count).toBe(0);
    await call("session.close", { sessionId });
  });

  it("rolls a file back to a version, or to its last success, into a session when asked", async () => {
    const { call } = client(host());
    const { sessionId } = await call<SessionCreateResult>("session.create", { language: "python", workspace: "rollback" });
    await call("workspace.sync", { sessionId, write: [{ path: "app.py", content: "print('v1 works')\n" }] });
    await call("session.execute", { sessionId, command: { type: "run_file", path: "app.py" } });
    await call("workspace.sync", { sessionId, write: [{ path: "app.py", content: "print(undefined_name)\n" }] });
    await call("session.execute", { sessionId, command: { type: "run_file", path: "app.py" } });

    const content = await call<HistoryRollbackResult>("history.rollback", { workspace: "rollback", path: "app.py", version: 1 });
    expect(content).toEqual({ path: "app.py", version: 1, content: "print('v1 works')\n", encoding: "utf8", written: false });
    const restored = await call<HistoryRollbackResult>("history.restoreLastSuccess", { workspace: "rollback", path: "app.py", sessionId });
    expect(restored).toMatchObject({ version: 1, written: true });
    const rerun = await call<SessionExecuteResult>("session.execute", { sessionId, command: { type: "run_file", path: "app.py" } });
    expect(rerun.result).toBe("v1 works");
    expect((await call<HistoryListResult>("history.list", { workspace: "rollback", path: "app.py" })).runs.map((r) => r.version)).toEqual([
      3, 2, 1,
    ]);

    await expect(call("history.rollback", { workspace: "rollback", path: "app.py", version: 9 })).rejects.toMatchObject({
      code: -32602,
      message: "Invalid params: version: app.py has no version 9 in workspace rollback",
    });
    await expect(call("history.restoreLastSuccess", { workspace: "rollback", path: "other.py" })).rejects.toMatchObject({ code: -32602 });
    await expect(call("history.list", { workspace: "", limit: 0 })).rejects.toMatchObject({ code: -32602 });
    await call("session.close", { sessionId });
  });

  it("reads run_file's file from the sandbox once: the text the history took also serves the run's diagnostics", async () => {
    const { call } = client(host());
    const { sessionId } = await call<SessionCreateResult>("session.create", { language: "python", workspace: "read-once" });
    await call("workspace.sync", { sessionId, write: [{ path: "app.py", content: "x = 1\nprint(x / 0)\n" }] });
    const sandbox = host().sessions.get(sessionId).sandbox;
    const readFile = sandbox.readFile.bind(sandbox);
    const reads: string[] = [];
    sandbox.readFile = (path, maxBytes) => (reads.push(path), readFile(path, maxBytes));
    const answer = await call<SessionExecuteResult>("session.execute", { sessionId, command: { type: "run_file", path: "app.py" } });
    expect(answer.diagnostics).toContainEqual(expect.objectContaining({ path: "app.py", line: 2, code: "ZeroDivisionError" }));
    expect(reads).toEqual(["/workspace/app.py"]);
    await call("session.close", { sessionId });
  });

  it("refuses to roll back through a link a program planted, as a FileError the client can act on", async () => {
    const { call } = client(host());
    const { sessionId } = await call<SessionCreateResult>("session.create", { language: "python", workspace: "planted" });
    await call("session.execute", { sessionId, command: { type: "execute_code", code: "print(1)", fileName: "app.py" } });
    const planted = { type: "execute_shell", commandName: "sh", args: ["-c", "rm app.py && ln -s /etc/passwd app.py"] };
    expect((await call<SessionExecuteResult>("session.execute", { sessionId, command: planted })).status).toBe("Success");
    await expect(call("history.rollback", { workspace: "planted", path: "app.py", version: 1, sessionId })).rejects.toMatchObject({
      code: -32003,
      message: expect.stringMatching(/^\/workspace\/app\.py is or passes through a symbolic link/),
      data: "/workspace/app.py: Symlink",
    });
    await call("session.close", { sessionId });
  });

  it("reads the history of a workspace that has none without creating anything", async () => {
    const { call } = client(host());
    const before = readdirSync(historyDir);
    for (let i = 0; i < 5; i++) expect((await call<HistoryListResult>("history.list", { workspace: `never-${i}` })).count).toBe(0);
    expect(readdirSync(historyDir)).toEqual(before);
  });

  it("keeps, with a run of one file, the other files the editor changed since the last run", async () => {
    const { call } = client(host());
    const { sessionId } = await call<SessionCreateResult>("session.create", { language: "python", workspace: "multi" });
    await call("workspace.sync", {
      sessionId,
      write: [
        { path: "main.py", content: "from util import twice\nprint(twice(21))\n" },
        { path: "util.py", content: "def twice(n):\n    return 2 * n\n" },
      ],
    });
    await call("session.execute", { sessionId, command: { type: "run_file", path: "main.py" } });
    await call("session.execute", { sessionId, command: { type: "run_file", path: "main.py" } });
    const [second, first] = (await call<HistoryListResult>("history.list", { workspace: "multi" })).runs;
    expect(first!.files.map((file) => file.path)).toEqual(["main.py", "util.py"]);
    expect(second!.files.map((file) => file.path)).toEqual(["main.py"]); // nothing else changed in between
    const got = await call<HistoryGetResult>("history.get", { workspace: "multi", id: first!.id });
    expect(got.contents[1]).toEqual({ path: "util.py", content: "def twice(n):\n    return 2 * n\n", encoding: "utf8" });
    await call("session.close", { sessionId });
  });

  it("repeats a command and says how it went: success rate and timing statistics", async () => {
    const { call } = client(host());
    const { sessionId } = await call<SessionCreateResult>("session.create", { language: "python" });
    const code = "import random, sys\nsys.exit(0 if random.random() < 2 else 1)";
    const stats = await call<RepeatStats>("session.repeat", { sessionId, command: { type: "execute_code", code }, times: 6 });
    expect(stats).toMatchObject({ times: 6, successes: 6, successRate: 100, statuses: { Success: 6 } });
    expect(stats.durationsMs).toHaveLength(6);
    expect(stats.minMs).toBeLessThanOrEqual(stats.p50);
    expect(stats.p50).toBeLessThanOrEqual(stats.p95);
    expect(stats.p95).toBeLessThanOrEqual(stats.maxMs);
    expect(stats.histogram.reduce((sum, bin) => sum + bin.count, 0)).toBe(6);
    const flaky = await call<RepeatStats>("session.repeat", {
      sessionId,
      command: { type: "execute_shell", commandName: "sh", args: ["-c", "test $(( $(date +%N) % 2 )) -eq 0 || exit 3; exit 0"] },
      times: 20,
    });
    expect(flaky.successes + (flaky.statuses.RuntimeError ?? 0)).toBe(20);
    expect(flaky.successRate).toBe((100 * flaky.successes) / 20);
    await call("session.close", { sessionId });
  });
});

describe("history across hosts", () => {
  it("survives its host being killed: a new host on the same directory has every run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "codebeaker-history-kill-"));
    const first = await startServer(["--history-dir", dir]);
    const ws = await connect(first.url);
    const { sessionId } = await ws.call("session.create", { language: "python", workspace: "survivor" });
    for (const code of ["print(1)", "print(2)", "print(3)"])
      await ws.call("session.execute", { sessionId, command: { type: "execute_code", code } });
    first.child.kill("SIGKILL"); // no shutdown, no flush but what each run already did
    await new Promise((resolve) => first.child.once("exit", resolve));
    ws.close();

    const second = await startServer(["--history-dir", dir]);
    try {
      const again = await connect(second.url);
      const listed = await again.call("history.list", { workspace: "survivor" });
      expect(listed.runs.map((run: { version: number; stdoutHead: string }) => [run.version, run.stdoutHead])).toEqual([
        [3, "3\n"],
        [2, "2\n"],
        [1, "1\n"],
      ]);
      again.close();
    } finally {
      await stop(second.child);
    }
  });
});

async function connect(url: string) {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  let id = 0;
  const waiting = new Map<number, (message: any) => void>();
  socket.on("message", (data) => {
    const message = JSON.parse(data.toString());
    if ("id" in message) waiting.get(message.id)?.(message);
  });
  return {
    call: (method: string, params: unknown) =>
      new Promise<any>((resolve, reject) => {
        const mine = ++id;
        waiting.set(mine, (message) => (message.error ? reject(message.error) : resolve(message.result)));
        socket.send(JSON.stringify({ jsonrpc: "2.0", id: mine, method, params }));
      }),
    close: () => socket.close(),
  };
}
