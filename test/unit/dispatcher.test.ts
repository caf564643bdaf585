import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type Logger, silentLogger } from "../../host/log";
import { ErrorCodes, invalidParams, RpcError } from "../../contract/protocol/errors";
import { SessionClose, SessionCreate, SessionExecute, SessionList } from "../../contract/protocol/methods";
import type { SessionCreateResult, SessionExecuteResult } from "../../contract/protocol/session";
import { type CallContext, Dispatcher } from "../../host/methods/dispatcher";
import { describeIssues } from "../../host/methods/params-errors";

const context: CallContext = { notify() {} };

const createResult: SessionCreateResult = {
  sessionId: "s1",
  containerId: "c1",
  language: "python",
  version: "3.13",
  createdAt: "2024-01-01T00:00:00.000Z",
  state: "Active",
  config: {
    idleTimeoutMinutes: 30,
    maxLifetimeMinutes: 120,
    memoryLimitMB: 512,
    cpuShares: 1024,
    dockerImage: null,
    cpuLimit: 1,
    pidsLimit: 256,
    networkEnabled: false,
    timeoutMs: 10_000,
    compileTimeoutMs: 60_000,
    outputLimitBytes: 1 << 20,
    permissions: null,
    commands: null,
    packages: [],
    warm: true,
  },
  isolation: "docker",
  image: "codebeaker/python:x",
};

const executeResult: SessionExecuteResult = {
  success: true,
  result: null,
  error: null,
  durationMs: 1,
  status: "Success",
  errorCode: null,
  exitCode: null,
  stdout: "",
  stderr: "",
  metrics: null,
  stages: null,
  diagnostics: [],
  errorType: null,
};

/** A dispatcher with the four methods on stubs that record the params they were given. */
function stubbed(logger: Logger = silentLogger) {
  const seen: { method: string; params: unknown }[] = [];
  const dispatcher = new Dispatcher(logger)
    .on(SessionCreate, async (params) => {
      seen.push({ method: "session.create", params });
      return createResult;
    })
    .on(SessionExecute, async (params) => {
      seen.push({ method: "session.execute", params });
      return executeResult;
    })
    .on(SessionList, async (params) => {
      seen.push({ method: "session.list", params });
      return { count: 0, sessions: [] };
    })
    .on(SessionClose, async (params) => {
      seen.push({ method: "session.close", params });
      return { sessionId: params.sessionId, closed: true };
    });
  return { dispatcher, seen };
}

async function rpcFailure(promise: Promise<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RpcError) return error;
    throw error;
  }
  throw new Error("the call succeeded; a failure was expected");
}

async function invalidParamsMessage(method: string, params: unknown): Promise<string> {
  const { dispatcher, seen } = stubbed();
  const error = await rpcFailure(dispatcher.call(method, params, context));
  expect(error.code).toBe(ErrorCodes.InvalidParams);
  expect(seen).toEqual([]);
  return error.message;
}

describe("Dispatcher routing", () => {
  it("lists the methods it has, in the order they were added", () => {
    const { dispatcher } = stubbed();
    expect(dispatcher.methods()).toEqual(["session.create", "session.execute", "session.list", "session.close"]);
    expect(dispatcher.has("session.list")).toBe(true);
    expect(dispatcher.has("session.delete")).toBe(false);
  });

  it("answers an unknown method with -32601 and the list of methods", async () => {
    const { dispatcher } = stubbed();
    const error = await rpcFailure(dispatcher.call("session.delete", {}, context));
    expect(error.code).toBe(-32601);
    expect(error.message).toBe("Method not found: session.delete (methods: session.create, session.execute, session.list, session.close)");
    expect(error.data).toBe(
      'method: no method named "session.delete"; the methods are session.create, session.execute, session.list, session.close',
    );
  });

  it("hands the handler the parsed params, with defaults filled in", async () => {
    const { dispatcher, seen } = stubbed();
    await expect(dispatcher.call("session.create", { language: "py" }, context)).resolves.toEqual(createResult);
    expect(seen).toEqual([
      { method: "session.create", params: { language: "py", idleTimeoutMinutes: 30, maxLifetimeMinutes: 120, warm: true } },
    ]);
  });

  it("hands session.execute a normalized path and the default write mode", async () => {
    const { dispatcher, seen } = stubbed();
    await dispatcher.call(
      "session.execute",
      { sessionId: "s1", command: { type: "write_file", path: "src/../a.py", content: "" } },
      context,
    );
    expect(seen[0]?.params).toEqual({
      sessionId: "s1",
      command: { type: "write_file", path: "/workspace/a.py", content: "", mode: "Create", encoding: "utf8" },
    });
  });

  it("accepts session.list without params", async () => {
    const { dispatcher, seen } = stubbed();
    await expect(dispatcher.call("session.list", undefined, context)).resolves.toEqual({ count: 0, sessions: [] });
    expect(seen).toEqual([{ method: "session.list", params: {} }]);
  });

  it("passes the call context to the handler", async () => {
    const notes: [string, unknown][] = [];
    const dispatcher = new Dispatcher(silentLogger).on(SessionList, async (_params, ctx) => {
      ctx.notify("image.progress", { phase: "start" });
      return { count: 0, sessions: [] };
    });
    await dispatcher.call("session.list", {}, { notify: (method, params) => notes.push([method, params]) });
    expect(notes).toEqual([["image.progress", { phase: "start" }]]);
  });
});

describe("Dispatcher invalid params (-32602)", () => {
  it.each([
    ["session.create", {}, "Invalid params: language: is required (a string)"],
    ["session.create", { language: "" }, "Invalid params: language: must name a language, like python"],
    ["session.create", { language: "py", foo: 1 }, 'Invalid params: params: unknown field "foo"'],
    ["session.create", { language: "py", foo: 1, bar: 2 }, 'Invalid params: params: unknown fields "foo", "bar"'],
    ["session.create", undefined, "Invalid params: params: is required (an object)"],
    ["session.list", { all: true }, 'Invalid params: params: unknown field "all"'],
    ["session.close", {}, "Invalid params: sessionId: is required (a string)"],
    [
      "session.execute",
      { sessionId: "s", command: { type: "read_file", path: "../x" } },
      'Invalid params: command.path: path "../x" resolves to /x, outside /workspace',
    ],
    [
      "session.execute",
      { sessionId: "s", command: { type: "execute_shell", commandName: "ls", args: ["a", 3] } },
      "Invalid params: command.args[1]: expected string, received number",
    ],
    [
      "session.execute",
      { sessionId: "s", command: { type: "execute_shell", commandName: "env", env: { "1A": "x" } } },
      "Invalid params: command.env.1A: invalid name: environment variable names are letters, digits and _",
    ],
    [
      "session.execute",
      { sessionId: "s", command: { type: "execute_shell", commandName: "ls", args: ["a", "b\0"] } },
      "Invalid params: command.args[1]: must not contain a NUL character",
    ],
    ["session.execute", { sessionId: "s", command: { type: "read_file" } }, "Invalid params: command.path: is required (a string)"],
    [
      "session.execute",
      { sessionId: "s", command: { type: "read_file", path: "a", extra: 1 } },
      'Invalid params: command: unknown field "extra"',
    ],
    [
      "session.execute",
      { sessionId: "s", command: { type: "write_file", path: "a", content: "", mode: "Replace" } },
      'Invalid params: command.mode: mode must be "Create" or "Append"',
    ],
    [
      "session.execute",
      { sessionId: "s", command: { type: "bogus" } },
      "Invalid params: command.type: must be one of write_file, read_file, execute_shell, execute_code, create_directory, copy_file, delete_file, list_directory, run_file",
    ],
  ])("%s with %j fails with %j", async (method, params, message) => {
    expect(await invalidParamsMessage(method, params)).toBe(message);
  });

  it("names the field of a number out of range", async () => {
    expect(await invalidParamsMessage("session.create", { language: "py", memoryLimitMB: 31 })).toMatch(
      /^Invalid params: memoryLimitMB: .*32/,
    );
  });

  it("refuses params given as an array", async () => {
    expect(await invalidParamsMessage("session.close", ["s1"])).toBe(
      "Invalid params: params must be an object with named fields, not an array",
    );
  });

  it("reports every problem: joined with '; ' in the message and one per line in data", async () => {
    const { dispatcher } = stubbed();
    const error = await rpcFailure(dispatcher.call("session.execute", { command: { type: "read_file" } }, context));
    expect(error.message).toBe("Invalid params: sessionId: is required (a string); command.path: is required (a string)");
    expect(error.data).toBe("sessionId: is required (a string)\ncommand.path: is required (a string)");
  });
});

describe("Dispatcher handler failures", () => {
  it("turns an exception of a handler into -32603 'Internal error: ...' and logs it", async () => {
    const logged: string[] = [];
    const logger: Logger = { ...silentLogger, error: (message) => logged.push(message) };
    const dispatcher = new Dispatcher(logger).on(SessionClose, async () => {
      throw new Error("docker went away");
    });
    const error = await rpcFailure(dispatcher.call("session.close", { sessionId: "s1" }, context));
    expect(error.code).toBe(-32603);
    expect(error.message).toBe("Internal error: docker went away");
    expect(error.data).toBe("docker went away");
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain("session.close failed");
    expect(logged[0]).toContain("docker went away");
  });

  it("turns a thrown non-Error into -32603 with its text", async () => {
    const dispatcher = new Dispatcher(silentLogger).on(SessionClose, async () => {
      throw "plain text";
    });
    const error = await rpcFailure(dispatcher.call("session.close", { sessionId: "s1" }, context));
    expect([error.code, error.message]).toEqual([-32603, "Internal error: plain text"]);
  });

  it("lets an RpcError thrown by a handler through unchanged", async () => {
    const thrown = new RpcError(ErrorCodes.InvalidParams, "Invalid params: sessionId: no such session", { sessionId: "x" });
    const dispatcher = new Dispatcher(silentLogger).on(SessionClose, async () => {
      throw thrown;
    });
    expect(await rpcFailure(dispatcher.call("session.close", { sessionId: "x" }, context))).toBe(thrown);
    expect(thrown.code).toBe(-32602);
    expect(thrown.data).toEqual({ sessionId: "x" });
  });
});

describe("Dispatcher error data", () => {
  it("gives a handler's -32602 the clause that names the field (an unknown session, an unknown language)", async () => {
    const dispatcher = new Dispatcher(silentLogger)
      .on(SessionClose, async ({ sessionId }) => {
        throw invalidParams(`sessionId: no session ${sessionId} (sessions end after their idle timeout or lifetime; see session.list)`);
      })
      .on(SessionCreate, async ({ language }) => {
        throw invalidParams(`language: unknown language "${language}" (known: python, go)`);
      });
    const session = await rpcFailure(dispatcher.call("session.close", { sessionId: "nope" }, context));
    expect([session.code, session.data]).toEqual([
      -32602,
      "sessionId: no session nope (sessions end after their idle timeout or lifetime; see session.list)",
    ]);
    const language = await rpcFailure(dispatcher.call("session.create", { language: "cobol" }, context));
    expect([language.code, language.data]).toEqual([-32602, 'language: unknown language "cobol" (known: python, go)']);
  });

  it("gives an RpcError made without data its message, without the code's title", () => {
    expect(new RpcError(ErrorCodes.InternalError, "Internal error: the engine went away").data).toBe("the engine went away");
    expect(new RpcError(ErrorCodes.InternalError, "Too many sessions: 10 are open").data).toBe("Too many sessions: 10 are open");
    expect(new RpcError(ErrorCodes.InvalidParams, "Invalid params: x", "given").data).toBe("given");
  });
});

describe("Dispatcher.extend: a connection's own methods over the host's", () => {
  it("answers its own methods and the host's, and lists both", async () => {
    const { dispatcher: host, seen } = stubbed();
    const connection = host.extend().on(SessionList, async () => ({ count: 42, sessions: [] }));
    expect(await connection.call("session.list", {}, context)).toEqual({ count: 42, sessions: [] });
    expect(await connection.call("session.close", { sessionId: "s" }, context)).toEqual({ sessionId: "s", closed: true });
    expect(seen.map((call) => call.method)).toEqual(["session.close"]);
    expect(connection.has("session.create")).toBe(true);
    expect(connection.methods()).toEqual(["session.create", "session.execute", "session.list", "session.close"]);
    expect(host.has("session.list")).toBe(true);
    expect(await host.call("session.list", {}, context)).toEqual({ count: 0, sessions: [] });
  });
});

describe("describeIssues", () => {
  function describe_(schema: z.ZodType, value: unknown): string[] {
    const result = schema.safeParse(value);
    if (result.success) throw new Error("expected the value to be refused");
    return describeIssues(result.error.issues);
  }

  it("writes array indices in brackets and keys with dots", () => {
    const schema = z.strictObject({ items: z.array(z.strictObject({ name: z.string() })) });
    expect(describe_(schema, { items: [{ name: "a" }, {}] })).toEqual(["items[1].name: is required (a string)"]);
  });

  it("uses 'an' before a vowel", () => {
    expect(describe_(z.strictObject({ options: z.object({}) }), {})).toEqual(["options: is required (an object)"]);
    expect(describe_(z.strictObject({ list: z.array(z.string()) }), {})).toEqual(["list: is required (an array)"]);
  });

  it("names a problem at the top level 'params'", () => {
    expect(describe_(z.strictObject({}), { a: 1 })).toEqual(['params: unknown field "a"']);
  });

  it("gives one sentence per issue", () => {
    const schema = z.strictObject({ a: z.string(), b: z.number() });
    expect(describe_(schema, { a: 1, b: "x" })).toEqual(["a: expected string, received number", "b: expected number, received string"]);
  });
});
