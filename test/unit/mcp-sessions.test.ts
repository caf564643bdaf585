import { describe, expect, it } from "vitest";
import { HostCalls } from "../../host/mcp/host-calls";
import { LanguageSessions } from "../../host/mcp/language-sessions";
import { silentLogger } from "../../host/log";
import { invalidParams } from "../../host/protocol/errors";
import { SessionCreate, SessionList } from "../../host/protocol/methods";
import type { SessionCreateResult, SessionListResult } from "../../host/protocol/session";
import { Dispatcher } from "../../host/rpc/dispatcher";
import { RuntimeRegistry } from "../../host/runtimes/registry";

/** A host whose sessions are names in a set: session.create adds one, `end` takes one away as expiry would. */
function fakeHost(options: { failFirst?: boolean } = {}) {
  const open = new Set<string>();
  const created: Array<{ language: string; workspace?: string; outputLimitBytes?: number; warm?: boolean }> = [];
  let failures = options.failFirst ? 1 : 0;
  const dispatcher = new Dispatcher(silentLogger)
    .on(SessionCreate, async (params) => {
      if (failures-- > 0) throw invalidParams("the engine is not there yet");
      await new Promise((resolve) => setImmediate(resolve)); // a start takes a while: calls overlap
      const sessionId = `s${created.length + 1}`;
      created.push({ language: params.language, workspace: params.workspace, outputLimitBytes: params.outputLimitBytes, warm: params.warm });
      open.add(sessionId);
      return { sessionId, language: params.language } as SessionCreateResult;
    })
    .on(SessionList, async () => ({ count: open.size, sessions: [...open].map((sessionId) => ({ sessionId })) }) as SessionListResult);
  const sessions = new LanguageSessions(new HostCalls(dispatcher), RuntimeRegistry.builtIn(), { workspace: "file:///w", outputLimitBytes: 4096, warm: true });
  return { sessions, created, end: (sessionId: string) => open.delete(sessionId) };
}

describe("LanguageSessions: one session per language for the MCP tools", () => {
  it("starts a language's session on first use, with the server's workspace, and reuses it", async () => {
    const { sessions, created } = fakeHost();
    expect(await sessions.session("python")).toEqual({ sessionId: "s1", language: "python", replaced: false });
    expect(await sessions.session("python")).toEqual({ sessionId: "s1", language: "python", replaced: false });
    expect(created).toEqual([{ language: "python", workspace: "file:///w", outputLimitBytes: 4096, warm: true }]);
  });

  it("gives an alias its language's session, and each language its own", async () => {
    const { sessions, created } = fakeHost();
    const [python, py, javascript] = await Promise.all([sessions.session("python"), sessions.session("PY"), sessions.session("js")]);
    expect(py.sessionId).toBe(python.sessionId);
    expect(javascript).toMatchObject({ language: "javascript" });
    expect(javascript.sessionId).not.toBe(python.sessionId);
    expect(created.map((session) => session.language).sort()).toEqual(["javascript", "python"]);
  });

  it("starts a new session when the host ended the old one, and says so", async () => {
    const { sessions, created, end } = fakeHost();
    await sessions.session("python");
    end("s1");
    expect(await sessions.session("python")).toEqual({ sessionId: "s2", language: "python", replaced: true });
    expect(await sessions.session("python")).toEqual({ sessionId: "s2", language: "python", replaced: false });
    expect(created).toHaveLength(2);
  });

  it("does not keep a failed start: the next call tries again", async () => {
    const { sessions } = fakeHost({ failFirst: true });
    await expect(sessions.session("python")).rejects.toThrow("Invalid params: the engine is not there yet");
    expect(await sessions.session("python")).toMatchObject({ sessionId: "s1", replaced: false });
  });

  it("passes an unknown language on to the host, which says why it is refused", async () => {
    const { sessions, created } = fakeHost();
    await sessions.session("cobol");
    expect(created).toEqual([expect.objectContaining({ language: "cobol" })]);
  });
});
