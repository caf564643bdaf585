import { ResponseError } from "vscode-jsonrpc";
import { describe, expect, it } from "vitest";
import { describeRunFailure } from "../../extension/run-failure";
import { ErrorCodes, RpcError } from "../../contract/protocol/errors";
import { fieldError } from "../../contract/protocol/field-error";

/** The error the extension's request rejects with when the host answers `error`. */
const reply = (error: RpcError) => new ResponseError(error.code, error.message, error.data);

describe("a run's failure as the user reads it", () => {
  it("names the setting and its value when the image it names cannot be used", () => {
    const error = reply(fieldError("dockerImage", "nosuch/node:1", "pull access denied for nosuch/node"));
    expect(describeRunFailure(error, "javascript")).toEqual({
      message:
        'the setting codebeaker.languages.javascript.image names "nosuch/node:1", which cannot be used: pull access denied for nosuch/node. Correct it, or remove it to use CodeBeaker\'s own image.',
      setting: "codebeaker.languages",
      internal: false,
    });
  });

  it("says what to do when the isolation is not on this machine, and is not an internal error", () => {
    const error = reply(fieldError("isolation", "docker", "docker isolation is not available: no Docker engine answers"));
    const failure = describeRunFailure(error, "go");
    expect(failure.message).toBe(
      'docker isolation is not available: no Docker engine answers. The setting codebeaker.isolation is "docker": start the Docker engine, or choose another isolation.',
    );
    expect(failure).toMatchObject({ setting: "codebeaker.isolation", internal: false });
    expect(failure.message).not.toMatch(/Internal error/);
  });

  it("keeps 'Internal error' for the host's own faults", () => {
    const error = reply(new RpcError(ErrorCodes.InternalError, "Internal error: cannot read properties of undefined"));
    expect(describeRunFailure(error, "python")).toEqual({ message: "Internal error: cannot read properties of undefined", internal: true });
  });

  it("says other refusals without the protocol's prefix, and the extension's own errors as they are", () => {
    const refused = reply(new RpcError(ErrorCodes.InvalidParams, "Invalid params: language: unknown language cobol"));
    expect(describeRunFailure(refused, "cobol")).toEqual({ message: "language: unknown language cobol", internal: false });
    const own = new Error("Restricted Mode runs code only in a container, and no Docker engine answers");
    expect(describeRunFailure(own, "python")).toEqual({ message: own.message, internal: false });
  });
});
