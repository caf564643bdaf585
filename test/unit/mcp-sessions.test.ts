import { describe, expect, it } from "vitest";
import { HostCalls } from "../../host/mcp/host-calls";
import { LanguageSession, LanguageSessions } from "../../host/mcp/language-sessions";
import { silentLogger } from "../../host/log";
import { invalidParams } from "../../contract/protocol/errors";
import { SessionCreate, SessionExecute, SessionList } from "../../contract/protocol/methods";
import { sessionEnded } from "../../contract/protocol/session-ended";
import type { SessionCreateResult, SessionExecuteResult } from "../../contract/protocol/session";
import { Dispatcher } from "../../host/methods/dispatcher";
import { RuntimeRegistry } from "../../contract/runtimes/registry";

/**
 * A host whose sessions are names in a set: session.create adds one, `end` takes one away as expiry would, and
 * session.execute on an ended one answers SessionEnded with the reason. session.list counts its calls: the
 * sessions must not be probed with it.
 */
function fakeHost(options: { failFirst?: boolean } = {}) {
  const open = new Set<string>();
  const endings = new Map<string, string>();
  const created: Array<{ language: string; workspace?: string; outputLimitBytes?: number; warm?: boolean }> = [];
  const calls = { list: 0, execute: 0 };
  let failures = options.failFirst ? 1 : 0;
  const dispatcher = new Dispatcher(silentLogger)
    .on(SessionCreate, async (params) => {
      if (failures-- > 0) throw invalidParams("the engine is not there yet");
      await new Promise((resolve) => setImmediate(resolve)); // a start takes a while: calls overlap
      const sessionId = `s${created.length + 1}`;
      created.push({
        language: params.language,
        workspace: params.workspace,
        outputLimitBytes: params.outputLimitBytes,
        warm: params.warm,
      });
      open.add(sessionId);
      return { sessionId, language: params.language, version: "1" } as SessionCreateResult;
    })
    .on(SessionExecute, async ({ sessionId }) => {
      calls.execute++;
      const ending = endings.get(sessionId);
      if (ending) throw sessionEnded(sessionId, ending);
      if (!open.has(sessionId)) throw invalidParams(`sessionId: no session ${sessionId}`);
      return { success: true, result: sessionId } as SessionExecuteResult;
    })
    .on(SessionList, async () => {
      calls.list++;
      return { count: 0, sessions: [] };
    });
  const host = new HostCalls(dispatcher);
  const sessions = new LanguageSessions(host, RuntimeRegistry.builtIn(), { workspace: "file:///w", outputLimitBytes: 4096, warm: true });
  /** A tool's work: one command in the session, answering with the session it ran in. */
  const run = (language: string) =>
    sessions.within(language, undefined, undefined, async (session: LanguageSession) => {
      await host.call(SessionExecute, { sessionId: session.sessionId, command: { type: "list_directory" } });
      return session;
    });
  const end = (sessionId: string, reason: string) => {
    open.delete(sessionId);
    endings.set(sessionId, reason);
  };
  return { sessions, run, created, calls, end };
}

describe("LanguageSessions: one session per language for the MCP tools", () => {
  it("starts a language's session on first use, with the server's workspace, and reuses it without asking session.list", async () => {
    const { run, created, calls } = fakeHost();
    expect(await run("python")).toEqual({ sessionId: "s1", language: "python", version: "1", replacedBecause: null });
    expect(await run("python")).toEqual({ sessionId: "s1", language: "python", version: "1", replacedBecause: null });
    expect(created).toEqual([{ language: "python", workspace: "file:///w", outputLimitBytes: 4096, warm: true }]);
    expect(calls).toEqual({ list: 0, execute: 2 });
  });

  it("gives an alias its language's session, and each language its own", async () => {
    const { run, created } = fakeHost();
    const [python, py, javascript] = await Promise.all([run("python"), run("PY"), run("js")]);
    expect(py.sessionId).toBe(python.sessionId);
    expect(javascript).toMatchObject({ language: "javascript" });
    expect(javascript.sessionId).not.toBe(python.sessionId);
    expect(created.map((session) => session.language).sort()).toEqual(["javascript", "python"]);
  });

  it("runs a call again in a new session when the host answers that the old one ended, and says why it ended", async () => {
    const { run, created, calls, end } = fakeHost();
    await run("python");
    end("s1", "it was idle for 30 minutes");
    expect(await run("python")).toEqual({
      sessionId: "s2",
      language: "python",
      version: "1",
      replacedBecause: "it was idle for 30 minutes",
    });
    expect(await run("python")).toEqual({ sessionId: "s2", language: "python", version: "1", replacedBecause: null });
    expect(created).toHaveLength(2);
    expect(calls).toEqual({ list: 0, execute: 4 }); // the failed call, its second try, and the two others
  });

  it("starts one new session for calls that overlapped when the old one ended", async () => {
    const { run, created, end } = fakeHost();
    await run("python");
    end("s1", "its sandbox stopped unexpectedly");
    const again = await Promise.all([run("python"), run("python"), run("py")]);
    expect(again.map((session) => session.sessionId)).toEqual(["s2", "s2", "s2"]);
    expect(created).toHaveLength(2);
  });

  it("passes on any other error, without starting a session", async () => {
    const { sessions, created } = fakeHost();
    const failing = sessions.within("python", undefined, undefined, async () => {
      throw invalidParams("sessionId: no session nope");
    });
    await expect(failing).rejects.toThrow("Invalid params: sessionId: no session nope");
    expect(created).toHaveLength(1);
  });

  it("does not keep a failed start: the next call tries again", async () => {
    const { run } = fakeHost({ failFirst: true });
    await expect(run("python")).rejects.toThrow("Invalid params: the engine is not there yet");
    expect(await run("python")).toMatchObject({ sessionId: "s1", replacedBecause: null });
  });

  it("passes an unknown language on to the host, which says why it is refused", async () => {
    const { run, created } = fakeHost();
    await run("cobol");
    expect(created).toEqual([expect.objectContaining({ language: "cobol" })]);
  });
});
