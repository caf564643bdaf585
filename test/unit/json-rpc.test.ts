import { describe, expect, it } from "vitest";
import { silentLogger } from "../../host/log";
import { SessionClose, SessionList } from "../../contract/protocol/methods";
import { type CallContext, Dispatcher } from "../../host/methods/dispatcher";
import { answerJsonRpcText } from "../../host/transports/json-rpc";

const context: CallContext = { notify() {} };
const emptyList = { count: 0, sessions: [] };

/** session.list answers an empty list; session.close echoes its id, or throws for "boom". Calls are counted. */
function setup() {
  const calls: string[] = [];
  const dispatcher = new Dispatcher(silentLogger)
    .on(SessionList, async () => {
      calls.push("session.list");
      return emptyList;
    })
    .on(SessionClose, async ({ sessionId }) => {
      calls.push(`session.close ${sessionId}`);
      if (sessionId === "boom") throw new Error("it broke");
      return { sessionId, closed: true };
    });
  const ask = async (message: unknown): Promise<unknown> => {
    const text = typeof message === "string" ? message : JSON.stringify(message);
    const answer = await answerJsonRpcText(text, dispatcher, context);
    return answer === undefined ? undefined : JSON.parse(answer);
  };
  return { ask, calls };
}

/** A -32600 reply: the sentence, and in `data` the member that was wrong with the value it had. */
const invalid = (id: string | number | null, why: string, data: string) => ({
  jsonrpc: "2.0",
  id,
  error: { code: -32600, message: `Invalid Request: ${why}`, data },
});
const notAnObject = (got: string) => invalid(null, "a request must be a JSON object", `request: must be a JSON object (got ${got})`);

describe("answerJsonRpcText: single requests", () => {
  it("answers a request with its result and echoes a number id", async () => {
    const { ask } = setup();
    expect(await ask({ jsonrpc: "2.0", id: 7, method: "session.list" })).toEqual({ jsonrpc: "2.0", id: 7, result: emptyList });
  });

  it("echoes a string id", async () => {
    const { ask } = setup();
    expect(await ask({ jsonrpc: "2.0", id: "req-1", method: "session.close", params: { sessionId: "s1" } })).toEqual({
      jsonrpc: "2.0",
      id: "req-1",
      result: { sessionId: "s1", closed: true },
    });
  });

  it("answers a request whose id is null (it is not a notification)", async () => {
    const { ask } = setup();
    expect(await ask({ jsonrpc: "2.0", id: null, method: "session.list" })).toEqual({ jsonrpc: "2.0", id: null, result: emptyList });
  });

  it("answers text that is not JSON with -32700 and id null, saying where it broke in data", async () => {
    const { ask } = setup();
    const answer = (await ask('{"jsonrpc": "2.0", "id": 1,')) as { id: unknown; error: { code: number; message: string; data: string } };
    expect(answer.id).toBeNull();
    expect(answer.error.code).toBe(-32700);
    expect(answer.error.message).toMatch(/^Parse error: /);
    expect(answer.error.data).toMatch(/JSON/);
    expect(answer.error.message).toBe(`Parse error: ${answer.error.data}`);
  });

  it.each(["1", "null", '"text"', "true"])("refuses %s, which is not an object, with -32600", async (text) => {
    const { ask } = setup();
    expect(await ask(text)).toEqual(notAnObject(text));
  });

  it("refuses a missing or wrong jsonrpc member, echoing the id", async () => {
    const { ask, calls } = setup();
    const why = 'the "jsonrpc" member must be "2.0"';
    expect(await ask({ id: 5, method: "session.list" })).toEqual(invalid(5, why, 'jsonrpc: must be "2.0" (got nothing)'));
    expect(await ask({ jsonrpc: "1.0", id: "x", method: "session.list" })).toEqual(invalid("x", why, 'jsonrpc: must be "2.0" (got "1.0")'));
    expect(await ask({ jsonrpc: 2, id: 6, method: "session.list" })).toEqual(invalid(6, why, 'jsonrpc: must be "2.0" (got 2)'));
    expect(calls).toEqual([]);
  });

  it("refuses a missing or non-string method", async () => {
    const { ask } = setup();
    const why = 'the "method" member must be a string';
    expect(await ask({ jsonrpc: "2.0", id: 1 })).toEqual(invalid(1, why, "method: must be a string (got nothing)"));
    expect(await ask({ jsonrpc: "2.0", id: 2, method: 42 })).toEqual(invalid(2, why, "method: must be a string (got 42)"));
  });

  it.each([true, {}, [1]])("refuses the id %j and answers with id null", async (id) => {
    const { ask, calls } = setup();
    expect(await ask({ jsonrpc: "2.0", id, method: "session.list" })).toEqual(
      invalid(
        null,
        'the "id" member must be a string, a number or null',
        `id: must be a string, a number or null (got ${JSON.stringify(id)})`,
      ),
    );
    expect(calls).toEqual([]);
  });

  it.each([null, 5, "s1", true])("refuses params %j, which is neither an object nor an array", async (params) => {
    const { ask } = setup();
    expect(await ask({ jsonrpc: "2.0", id: 3, method: "session.list", params })).toEqual(
      invalid(
        3,
        'the "params" member must be an object (or an array)',
        `params: must be an object or an array (got ${JSON.stringify(params)})`,
      ),
    );
  });

  it("cuts a long wrong value short in data", async () => {
    const { ask } = setup();
    const answer = (await ask({ jsonrpc: "x".repeat(10_000), id: 1, method: "session.list" })) as { error: { data: string } };
    expect(answer.error.data).toBe(`jsonrpc: must be "2.0" (got "${"x".repeat(56)}...)`);
  });

  it("answers an unknown method with -32601, naming it in data", async () => {
    const { ask } = setup();
    expect(await ask({ jsonrpc: "2.0", id: 4, method: "nope" })).toEqual({
      jsonrpc: "2.0",
      id: 4,
      error: {
        code: -32601,
        message: "Method not found: nope (methods: session.list, session.close)",
        data: 'method: no method named "nope"; the methods are session.list, session.close',
      },
    });
  });

  it("answers bad params with -32602, and carries the problems in data", async () => {
    const { ask } = setup();
    expect(await ask({ jsonrpc: "2.0", id: 8, method: "session.close", params: { id: "s1" } })).toEqual({
      jsonrpc: "2.0",
      id: 8,
      error: {
        code: -32602,
        message: 'Invalid params: sessionId: is required (a string); params: unknown field "id"',
        data: 'sessionId: is required (a string)\nparams: unknown field "id"',
      },
    });
  });

  it("answers array params with -32602", async () => {
    const { ask } = setup();
    expect(await ask({ jsonrpc: "2.0", id: 9, method: "session.close", params: ["s1"] })).toEqual({
      jsonrpc: "2.0",
      id: 9,
      error: {
        code: -32602,
        message: "Invalid params: params must be an object with named fields, not an array",
        data: "params must be an object with named fields, not an array",
      },
    });
  });

  it("answers a handler's exception with -32603", async () => {
    const { ask } = setup();
    expect(await ask({ jsonrpc: "2.0", id: 10, method: "session.close", params: { sessionId: "boom" } })).toEqual({
      jsonrpc: "2.0",
      id: 10,
      error: { code: -32603, message: "Internal error: it broke", data: "it broke" },
    });
  });
});

describe("answerJsonRpcText: notifications", () => {
  it("runs a notification and owes no answer", async () => {
    const { ask, calls } = setup();
    expect(await ask({ jsonrpc: "2.0", method: "session.close", params: { sessionId: "n1" } })).toBeUndefined();
    expect(calls).toEqual(["session.close n1"]);
  });

  it("owes no answer for a notification that fails", async () => {
    const { ask } = setup();
    expect(await ask({ jsonrpc: "2.0", method: "nope" })).toBeUndefined();
    expect(await ask({ jsonrpc: "2.0", method: "session.close", params: { sessionId: "boom" } })).toBeUndefined();
    expect(await ask({ jsonrpc: "2.0", method: "session.close", params: {} })).toBeUndefined();
  });
});

describe("answerJsonRpcText: batches", () => {
  it("answers a batch with an array, in order, leaving notifications out", async () => {
    const { ask, calls } = setup();
    const answer = await ask([
      { jsonrpc: "2.0", id: "a", method: "session.list" },
      { jsonrpc: "2.0", method: "session.close", params: { sessionId: "n" } },
      3,
      { jsonrpc: "2.0", id: "b", method: "session.close", params: { sessionId: "s2" } },
    ]);
    expect(answer).toEqual([
      { jsonrpc: "2.0", id: "a", result: emptyList },
      notAnObject("3"),
      { jsonrpc: "2.0", id: "b", result: { sessionId: "s2", closed: true } },
    ]);
    expect(calls).toContain("session.close n");
  });

  it("answers an empty batch with a single -32600 error", async () => {
    const { ask } = setup();
    expect(await ask("[]")).toEqual(invalid(null, "empty batch", "batch: an empty array holds no request"));
  });

  it("answers a batch of invalid items with one error each", async () => {
    const { ask } = setup();
    expect(await ask("[1, 2]")).toEqual([notAnObject("1"), notAnObject("2")]);
  });

  it("owes nothing for a batch of notifications only", async () => {
    const { ask, calls } = setup();
    const answer = await ask([
      { jsonrpc: "2.0", method: "session.list" },
      { jsonrpc: "2.0", method: "session.close", params: { sessionId: "q" } },
    ]);
    expect(answer).toBeUndefined();
    expect([...calls].sort()).toEqual(["session.close q", "session.list"]);
  });
});
