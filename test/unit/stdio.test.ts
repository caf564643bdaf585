import { PassThrough } from "node:stream";
import { createMessageConnection, ResponseError, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../host/log";
import { invalidParams } from "../../contract/protocol/errors";
import { ImageProgress, IsolationStatus, SessionClose, SessionList } from "../../contract/protocol/methods";
import { ContentLengthReader, frame } from "../../host/transports/content-length-framing";
import { Dispatcher } from "../../host/methods/dispatcher";
import { serveStdio } from "../../host/transports/stdio";

const progress = { image: "codebeaker/python:x", language: "python", phase: "start", message: "building" };

const available = { available: true, reason: null };
const status = { docker: available, gvisor: available, process: available };

/**
 * A host whose isolation.status says, while it works, what a real host says while it builds an image and
 * records a run (image.progress, history.changed), and what it streams of a followed run (run.output).
 */
function hostMethods() {
  return new Dispatcher(silentLogger)
    .on(SessionList, async () => ({ count: 0, sessions: [] }))
    .on(IsolationStatus, async (_params, context) => {
      context.notify(ImageProgress.method, progress);
      context.notify("history.changed", { workspace: "w", run: {} });
      context.notify("run.output", { runId: "r", stream: "stdout", text: "hi" });
      return status;
    })
    .on(SessionClose, async ({ sessionId }) => {
      throw invalidParams(`sessionId: no session ${sessionId}`);
    });
}

/** serveStdio on in-memory pipes, and a raw client that writes bytes and reads whole messages. */
function start() {
  const input = new PassThrough();
  const output = new PassThrough();
  const served = serveStdio(hostMethods(), silentLogger, input, output);
  const received: any[] = [];
  let wake: () => void = () => undefined;
  const reader = new ContentLengthReader(1 << 30, (item) => {
    if ("text" in item) received.push(JSON.parse(item.text));
    wake();
  });
  output.on("data", (chunk: Buffer) => reader.push(chunk));
  /** Resolves with the messages received once there are `count` of them. */
  const messages = async (count: number) => {
    while (received.length < count) await new Promise<void>((resolve) => (wake = resolve));
    return received.slice(0, count);
  };
  const send = (message: unknown) => input.write(frame(typeof message === "string" ? message : JSON.stringify(message)));
  return { input, output, served, received, messages, send, writeRaw: (bytes: string | Buffer) => input.write(bytes) };
}

const list = (id: number) => ({ jsonrpc: "2.0", id, method: "session.list" });
const listAnswer = (id: number) => ({ jsonrpc: "2.0", id, result: { count: 0, sessions: [] } });
const statusRequest = (id: number) => ({ jsonrpc: "2.0", id, method: "isolation.status" });
const statusAnswer = (id: number) => ({ jsonrpc: "2.0", id, result: status });

describe("serveStdio: JSON-RPC 2.0, as the WebSocket transport speaks it", () => {
  it("answers text that is not JSON with -32700, and goes on", async () => {
    const client = start();
    client.send("{not json");
    client.send(list(1));
    const [parse, answer] = await client.messages(2);
    expect(parse).toMatchObject({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32700, message: expect.stringMatching(/^Parse error: /), data: expect.any(String) },
    });
    expect(answer).toEqual(listAnswer(1));
  });

  it('refuses "jsonrpc": "1.0" and other invalid requests with -32600, echoing the id', async () => {
    const client = start();
    client.send({ jsonrpc: "1.0", id: 7, method: "session.list" });
    client.send({ jsonrpc: "2.0", id: 8, method: 42 });
    expect(await client.messages(2)).toEqual([
      {
        jsonrpc: "2.0",
        id: 7,
        error: { code: -32600, message: 'Invalid Request: the "jsonrpc" member must be "2.0"', data: 'jsonrpc: must be "2.0" (got "1.0")' },
      },
      {
        jsonrpc: "2.0",
        id: 8,
        error: {
          code: -32600,
          message: 'Invalid Request: the "method" member must be a string',
          data: "method: must be a string (got 42)",
        },
      },
    ]);
  });

  it("answers a batch with one array, leaving notifications out", async () => {
    const client = start();
    client.send([list(1), { jsonrpc: "2.0", method: "session.list" }, { jsonrpc: "2.0", id: 2, method: "nope" }]);
    const [batch] = await client.messages(1);
    expect(batch).toEqual([
      listAnswer(1),
      {
        jsonrpc: "2.0",
        id: 2,
        error: expect.objectContaining({ code: -32601, data: expect.stringMatching(/^method: no method named "nope"/) }),
      },
    ]);
  });

  it("answers -32602 with data naming the field", async () => {
    const client = start();
    client.send({ jsonrpc: "2.0", id: 3, method: "session.close", params: { sessionId: "gone" } });
    expect(await client.messages(1)).toEqual([
      {
        jsonrpc: "2.0",
        id: 3,
        error: { code: -32602, message: "Invalid params: sessionId: no session gone", data: "sessionId: no session gone" },
      },
    ]);
  });

  it.each([
    [
      "a Content-Length that is not a number",
      "Content-Length: many\r\n\r\n{}",
      'header: Content-Length must be a whole number of bytes (got "many")',
    ],
    ["no Content-Length header", "Content-Type: application/json\r\n\r\n{}", "header: no Content-Length"],
    ["garbage", "GET / HTTP/1.1\r\n\r\n", 'header: "GET / HTTP/1.1" is not a "Name: value" header line'],
    [
      "a message without a header",
      `${JSON.stringify(list(9))}\r\n\r\n`,
      expect.stringMatching(/^header: .* is not a "Name: value" header line$/),
    ],
  ])("costs one message, not the stream, for %s", async (_what, bad, why) => {
    const client = start();
    client.writeRaw(bad);
    client.send(list(1));
    const [error, answer] = await client.messages(2);
    expect(error).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32700, message: expect.stringMatching(/^Parse error: the message's frame could not be read/), data: why },
    });
    expect(answer).toEqual(listAnswer(1));
  });

  it("answers a 50 MB message, and one whose header ends in bare line feeds", async () => {
    const client = start();
    const big = JSON.stringify({ ...list(1), params: { pad: "x".repeat(50 << 20) } });
    for (let at = 0; at < big.length; at += 64 << 10) {
      // As a pipe delivers it: 64 KB at a time, the header's line ends bare LFs.
      client.writeRaw(at === 0 ? `Content-Length: ${big.length}\n\n${big.slice(0, 64 << 10)}` : big.slice(at, at + (64 << 10)));
    }
    client.send(list(2));
    const [first, second] = await client.messages(2);
    expect(first).toMatchObject({ id: 1, error: { code: -32602, data: 'params: unknown field "pad"' } });
    expect(second).toEqual(listAnswer(2));
  });
});

describe("serveStdio: notifications only for a client that asked", () => {
  it("sends a client that never asked only its answers (and the output of runs it follows)", async () => {
    const client = start();
    client.send(statusRequest(1));
    const [first, second] = await client.messages(2);
    expect(first).toMatchObject({ method: "run.output" });
    expect(second).toEqual(statusAnswer(1));
  });

  it("sends what notifications.subscribe names, before the answer", async () => {
    const client = start();
    client.send({ jsonrpc: "2.0", id: 1, method: "notifications.subscribe", params: { methods: ["image.progress"] } });
    expect(await client.messages(1)).toEqual([{ jsonrpc: "2.0", id: 1, result: { methods: ["image.progress"] } }]);
    client.send(statusRequest(2));
    const messages = await client.messages(4);
    expect(messages).toEqual([
      { jsonrpc: "2.0", id: 1, result: { methods: ["image.progress"] } },
      { jsonrpc: "2.0", method: "image.progress", params: progress },
      expect.objectContaining({ method: "run.output" }),
      statusAnswer(2),
    ]);
  });

  it("refuses to subscribe to what the host never sends, naming it", async () => {
    const client = start();
    client.send({ jsonrpc: "2.0", id: 1, method: "notifications.subscribe", params: { methods: ["image.progres"] } });
    expect(await client.messages(1)).toEqual([
      {
        jsonrpc: "2.0",
        id: 1,
        error: expect.objectContaining({ code: -32602, data: expect.stringMatching(/^methods\[0\]: .*image\.progress.*history\.changed/) }),
      },
    ]);
  });
});

describe("serveStdio: the language client's handshake and end", () => {
  it("answers initialize with no capabilities, and subscribes as initializationOptions.notifications asks", async () => {
    const client = start();
    client.send({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { processId: 1, capabilities: {}, initializationOptions: { notifications: {} } },
    });
    const [initialized] = await client.messages(1);
    expect(initialized).toEqual({
      jsonrpc: "2.0",
      id: 1,
      result: { capabilities: {}, serverInfo: { name: "codebeaker", version: expect.any(String) } },
    });
    client.send({ jsonrpc: "2.0", method: "initialized", params: {} });
    client.send(statusRequest(2));
    const messages = await client.messages(5);
    expect(messages.slice(1).map((message) => message.method ?? message.id)).toEqual([
      "image.progress",
      "history.changed",
      "run.output",
      2,
    ]);
  });

  it("closes on exit, and when stdin ends", async () => {
    const exiting = start();
    exiting.send({ jsonrpc: "2.0", id: 1, method: "shutdown" });
    expect(await exiting.messages(1)).toEqual([{ jsonrpc: "2.0", id: 1, result: null }]);
    exiting.send({ jsonrpc: "2.0", method: "exit" });
    await exiting.served.closed;

    const ending = start();
    ending.input.end();
    await ending.served.closed;
  });

  it("serves vscode-jsonrpc, the extension's client: requests, errors with data, notifications it asked for", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    serveStdio(hostMethods(), silentLogger, input, output);
    const connection = createMessageConnection(new StreamMessageReader(output), new StreamMessageWriter(input));
    const heard: string[] = [];
    connection.onNotification((method) => void heard.push(method));
    connection.listen();
    try {
      await connection.sendRequest("initialize", {
        processId: null,
        rootUri: null,
        capabilities: {},
        initializationOptions: { notifications: { methods: ["history.changed"] } },
      });
      await connection.sendNotification("initialized", {});
      expect(await connection.sendRequest(IsolationStatus.type, {})).toEqual(status);
      expect(heard).toEqual(["history.changed", "run.output"]);
      const refused = await connection.sendRequest(SessionClose.type, { sessionId: "gone" }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ResponseError);
      expect(refused).toMatchObject({
        code: -32602,
        message: "Invalid params: sessionId: no session gone",
        data: "sessionId: no session gone",
      });
    } finally {
      connection.dispose();
    }
  });
});
