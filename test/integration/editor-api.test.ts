import { describe, expect, it } from "vitest";
import type { SessionCreateResult, SessionExecuteResult, SessionListResult, WorkspaceSyncResult } from "../../contract/protocol/session";
import { endedSession } from "../../contract/protocol/session-ended";
import { docker, eventually, useHost } from "./helpers";

/** A client of the dispatcher that keeps the notifications it is sent, as an editor would see them. */
function client(host: ReturnType<ReturnType<typeof useHost>>) {
  const notifications: Array<{ method: string; params: any }> = [];
  const context = { notify: (method: string, params: unknown) => notifications.push({ method, params }) };
  const call = <T>(method: string, params: unknown) => host.dispatcher.call(method, params, context) as Promise<T>;
  return {
    notifications,
    call,
    create: (params: Record<string, unknown>) => call<SessionCreateResult>("session.create", params),
    execute: (params: Record<string, unknown>) => call<SessionExecuteResult>("session.execute", params),
    sync: (params: Record<string, unknown>) => call<WorkspaceSyncResult>("workspace.sync", params),
    output: (runId: string) =>
      notifications
        .filter((n) => n.method === "run.output" && n.params.runId === runId)
        .map((n) => n.params.text as string)
        .join(""),
    waitFor: async (check: () => boolean) => {
      while (!check()) await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

describe("what an editor needs from the host", () => {
  const host = useHost();

  it("streams a followed run's output as it is written, before the answer", async () => {
    const editor = client(host());
    const { sessionId } = await editor.create({ language: "python" });
    const code = "import time\nfor i in range(3):\n    print(f'tick {i}', flush=True)\n    time.sleep(0.2)\n";
    const answer = editor.execute({ sessionId, command: { type: "execute_code", code }, runId: "r1" });
    await editor.waitFor(() => editor.output("r1").includes("tick 0"));
    expect(editor.output("r1")).not.toContain("tick 2"); // seen while the program still runs
    expect((await answer).result).toBe("tick 0\ntick 1\ntick 2");
    expect(editor.output("r1")).toBe("tick 0\ntick 1\ntick 2\n");
    expect(editor.notifications.find((n) => n.method === "run.stage")?.params).toEqual({ runId: "r1", stage: "run" });
    await editor.call("session.close", { sessionId });
  });

  it("feeds an interactive run's stdin as the user types, and stops a run on request", async () => {
    const editor = client(host());
    const { sessionId } = await editor.create({ language: "python" });
    const greet = editor.execute({
      sessionId,
      command: { type: "execute_code", code: "print('name?', flush=True)\nprint('hello', input())" },
      runId: "greet",
      interactive: true,
    });
    await editor.waitFor(() => editor.output("greet").includes("name?"));
    await editor.call("run.input", { runId: "greet", text: "Ada\n" });
    expect((await greet).stdout).toBe("name?\nhello Ada\n");

    const forever = editor.execute({
      sessionId,
      command: { type: "execute_code", code: "import time\nprint('working', flush=True)\ntime.sleep(600)" },
      runId: "forever",
    });
    await editor.waitFor(() => editor.output("forever").includes("working"));
    expect(await editor.call("run.stop", { runId: "forever" })).toEqual({ runId: "forever", stopped: true });
    expect(await forever).toMatchObject({ status: "Cancelled", error: "Cancelled: the program was stopped on request" });
    expect(await editor.call("run.stop", { runId: "forever" })).toEqual({ runId: "forever", stopped: false });
    await editor.call("session.close", { sessionId });
  });

  it("mirrors files in one request and runs a file where it is, next to the modules it imports", async () => {
    const editor = client(host());
    const { sessionId } = await editor.create({ language: "python" });
    const synced = await editor.sync({
      sessionId,
      write: [
        { path: "app/main.py", content: "from helpers import shout\nprint(shout('hi'))\n" },
        { path: "app/helpers.py", content: "def shout(text):\n    return text.upper() + '!'\n" },
        { path: "old.txt", content: "to be deleted" },
      ],
    });
    expect(synced).toEqual({ written: 3, deleted: 0, bytes: expect.any(Number), failed: [] });
    expect(await editor.sync({ sessionId, delete: ["old.txt", "never-existed.txt"] })).toMatchObject({ deleted: 2, failed: [] });
    const run = await editor.execute({ sessionId, command: { type: "run_file", path: "app/main.py" } });
    expect(run).toMatchObject({ success: true, result: "HI!", stdout: "HI!\n" });
    const listing = await editor.execute({ sessionId, command: { type: "list_directory" } });
    expect((listing.result as { entries: Array<{ name: string }> }).entries.map((e) => e.name)).toEqual(["app"]);

    const broken = await editor.execute({ sessionId, command: { type: "run_file", path: "app/missing.py" } });
    expect(broken).toMatchObject({ status: "FileError", errorCode: "NotFound", error: "File not found: /workspace/app/missing.py" });
    await editor.call("session.close", { sessionId });
  });

  it("places a run_file error at its line, with the column the source file gives", async () => {
    const editor = client(host());
    const { sessionId } = await editor.create({ language: "python" });
    await editor.sync({ sessionId, write: [{ path: "divide.py", content: "a = 1\nb = 0\nprint(a / b)\n" }] });
    const answer = await editor.execute({ sessionId, command: { type: "run_file", path: "divide.py" } });
    expect(answer.diagnostics).toEqual([
      expect.objectContaining({ path: "divide.py", line: 3, column: 7, endColumn: 12, code: "ZeroDivisionError", severity: "error" }),
    ]);
    await editor.call("session.close", { sessionId });
  });

  it.each([
    [
      "go",
      "main.go",
      {
        "main.go": 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println(Greeting())\n}\n',
        "greeting.go": 'package main\n\nfunc Greeting() string { return "hello from two files" }\n',
        "greeting_test.go": 'package main\n\nimport "testing"\n\nfunc TestNothing(t *testing.T) {}\n',
      },
    ],
    [
      "csharp",
      "Program.cs",
      {
        "Program.cs": "class Program { static void Main() { System.Console.WriteLine(Greeter.Greeting()); } }\n",
        "Greeter.cs": 'static class Greeter { public static string Greeting() { return "hello from two files"; } }\n',
      },
    ],
  ])("builds a %s program of several files in one folder", async (language, entry, files) => {
    const editor = client(host());
    const { sessionId } = await editor.create({ language });
    await editor.sync({ sessionId, write: Object.entries(files).map(([path, content]) => ({ path: `proj/${path}`, content })) });
    const answer = await editor.execute({ sessionId, command: { type: "run_file", path: `proj/${entry}` } });
    expect(answer.error).toBeNull();
    expect(answer.result).toBe("hello from two files");
    await editor.call("session.close", { sessionId });
  });

  it("runs the user's own command line for a language in place of the runtime's", async () => {
    const editor = client(host());
    const { sessionId, config } = await editor.create({ language: "python", commands: { run: ["python3", "-O", "{file}"] } });
    expect(config.commands).toEqual({ run: ["python3", "-O", "{file}"] });
    const answer = await editor.execute({ sessionId, command: { type: "execute_code", code: "import sys\nprint(sys.flags.optimize)" } });
    expect(answer.result).toBe("1");
    await editor.call("session.close", { sessionId });
  });

  it("tells an editor whose session's sandbox died that the session ended, and why, for a mirror and a run alike", async () => {
    const editor = client(host());
    const { sessionId, containerId } = await editor.create({ language: "python" });
    await docker.getContainer(containerId).kill();
    const listed = async () =>
      (await editor.call<SessionListResult>("session.list", {})).sessions.some((session) => session.sessionId === sessionId);
    await eventually(async () => !(await listed()), "the host noticed its sandbox died");
    const ended = { sessionId, reason: "its sandbox stopped unexpectedly" };
    // What the extension starts a new session on: the code, read by endedSession, never the message.
    const mirror = await editor.sync({ sessionId, write: [{ path: "a.py", content: "print(1)" }] }).catch((error: unknown) => error);
    expect(endedSession(mirror)).toEqual(ended);
    const run = await editor.execute({ sessionId, command: { type: "run_file", path: "a.py" } }).catch((error: unknown) => error);
    expect(endedSession(run)).toEqual(ended);
    expect(run).toMatchObject({
      code: -32004,
      message: `Invalid params: sessionId: session ${sessionId} has ended: its sandbox stopped unexpectedly`,
    });
    // A session that never was is not one that ended: no new session would help.
    expect(
      endedSession(await editor.execute({ sessionId: "nope", command: { type: "list_directory" } }).catch((error: unknown) => error)),
    ).toBeUndefined();
  });

  it("refuses a runId already running, and input for a run that never was is ignored", async () => {
    const editor = client(host());
    const { sessionId } = await editor.create({ language: "python" });
    const first = editor.execute({ sessionId, command: { type: "execute_code", code: "import time\ntime.sleep(1)" }, runId: "same" });
    await editor.waitFor(() => editor.notifications.some((n) => n.method === "run.stage"));
    await expect(editor.execute({ sessionId, command: { type: "execute_code", code: "pass" }, runId: "same" })).rejects.toMatchObject({
      code: -32602,
      message: "Invalid params: runId: a run named same is already running",
    });
    await editor.call("run.input", { runId: "nobody", text: "lost" });
    await expect(editor.call("run.input", { runId: "nobody" })).rejects.toMatchObject({ code: -32602 });
    await first;
    await editor.call("session.close", { sessionId });
  });
});
