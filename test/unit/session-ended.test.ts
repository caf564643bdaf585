import { describe, expect, it } from "vitest";
import { CodeBeakerError } from "../../host/library/errors";
import { ErrorCodes, invalidParams, RpcError } from "../../contract/protocol/errors";
import { endedSession, sessionEnded } from "../../contract/protocol/session-ended";

describe("SessionEnded: a session that existed and has ended, as an error code", () => {
  it("carries the session and the reason as data, and the message -32602 carried before", () => {
    const error = sessionEnded("3f9c2a71b0de", "it was idle for 30 minutes");
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({
      code: -32004,
      message: "Invalid params: sessionId: session 3f9c2a71b0de has ended: it was idle for 30 minutes",
      data: { sessionId: "3f9c2a71b0de", reason: "it was idle for 30 minutes" },
    });
    expect(ErrorCodes.SessionEnded).toBe(-32004);
  });

  it("is read from any client's error by its code and data, never by its message", () => {
    const ended = { sessionId: "s1", reason: "its sandbox stopped unexpectedly" };
    expect(endedSession(sessionEnded("s1", ended.reason))).toEqual(ended);
    // vscode-jsonrpc's ResponseError, as the extension gets it: an Error with code and data.
    expect(endedSession(Object.assign(new Error("anything"), { code: -32004, data: ended }))).toEqual(ended);
    // The same words under another code are not it, nor is an unknown session.
    expect(endedSession(invalidParams("sessionId: session s1 has ended: it was closed"))).toBeUndefined();
    expect(endedSession(invalidParams("sessionId: no session s1"))).toBeUndefined();
    expect(endedSession(undefined)).toBeUndefined();
    expect(endedSession("session s1 has ended")).toBeUndefined();
  });

  it("is SESSION_ENDED in the library, with its data", () => {
    const error = CodeBeakerError.from(sessionEnded("s1", "it was closed by session.close"));
    expect(error).toMatchObject({
      code: "SESSION_ENDED",
      jsonRpcCode: -32004,
      data: { sessionId: "s1", reason: "it was closed by session.close" },
    });
  });
});
