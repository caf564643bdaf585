import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { createMessageConnection, MessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionClose, SessionCreate, SessionExecute, SessionList } from "../../contract/protocol/methods";
import { ContentLengthReader, frame } from "../../host/transports/content-length-framing";
import { containersOf, containersOwnedBy, eventually } from "./helpers";
import { finished, spawnHost, waitForOutput } from "./processes";

describe("codebeaker --stdio: JSON-RPC with vscode-jsonrpc framing", () => {
  let child: ChildProcess;
  let connection: MessageConnection;
  let exited: ReturnType<typeof finished>;

  beforeAll(() => {
    child = spawnHost(["--stdio"]);
    connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    connection.listen();
    exited = finished(child);
  });
  afterAll(async () => {
    connection.end();
    child.stdin!.end();
    expect((await exited).code).toBe(0); // the host ends when its client goes away
  });

  it("answers the language client's handshake: no language features, only CodeBeaker's methods", async () => {
    expect(await connection.sendRequest("initialize", { processId: process.pid, rootUri: null, capabilities: {} })).toEqual({
      capabilities: {},
      serverInfo: { name: "codebeaker", version: expect.stringMatching(/^\d+\.\d+\.\d+/) },
    });
    await connection.sendNotification("initialized", {});
  });

  it("serves the same typed methods the extension will call", async () => {
    const created = await connection.sendRequest(SessionCreate.type, { language: "javascript" });
    expect(created).toMatchObject({ language: "javascript", state: "Active" });
    const answer = await connection.sendRequest(SessionExecute.type, {
      sessionId: created.sessionId,
      command: { type: "execute_code", code: "console.log(6 * 7)" },
    });
    expect(answer).toMatchObject({ success: true, result: "42", status: "Success" });
    expect((await connection.sendRequest(SessionList.type, {})).count).toBe(1);
    expect(await connection.sendRequest(SessionClose.type, { sessionId: created.sessionId })).toEqual({
      sessionId: created.sessionId,
      closed: true,
    });
    expect(await containersOf(created.sessionId)).toEqual([]);
  });

  it("answers bad params and unknown methods with the guide's codes", async () => {
    await expect(connection.sendRequest(SessionCreate.type, { language: 3 } as never)).rejects.toMatchObject({
      code: -32602,
      message: "Invalid params: language: expected string, received number",
    });
    await expect(connection.sendRequest("session.nope", {})).rejects.toMatchObject({ code: -32601 });
  });
});

describe("codebeaker --stdio: JSON-RPC 2.0 whatever the client sends", () => {
  let child: ChildProcess;
  let exited: ReturnType<typeof finished>;
  const received: any[] = [];
  let wake = () => undefined as void;

  beforeAll(() => {
    child = spawnHost(["serve", "--stdio"]);
    const reader = new ContentLengthReader(1 << 30, (item) => {
      if ("text" in item) received.push(JSON.parse(item.text));
      wake();
    });
    child.stdout!.on("data", (chunk: Buffer) => reader.push(chunk));
    exited = finished(child);
  });
  afterAll(async () => {
    child.stdin!.end();
    expect((await exited).code).toBe(0);
  });

  /**
   * Writes raw bytes, then a session.list with `id`; resolves with the `count` messages that came back, the list's
   * answer last. Answers to requests in flight together may come in any order (JSON-RPC promises none), so the
   * list's answer is put last rather than waited for first.
   */
  async function sendThenList(bytes: string | Buffer, id: number, count: number): Promise<any[]> {
    const from = received.length;
    child.stdin!.write(bytes);
    child.stdin!.write(frame(JSON.stringify({ jsonrpc: "2.0", id, method: "session.list" })));
    while (received.length - from < count) await new Promise<void>((resolve) => (wake = resolve));
    const answers = received.slice(from);
    const isList = (message: any) => message.id === id && "result" in message;
    return [...answers.filter((message) => !isList(message)), ...answers.filter(isList)];
  }

  it("answers -32700 for text that is not JSON and -32600 for jsonrpc 1.0, with data", async () => {
    const [parse, invalid, listed] = await sendThenList(
      Buffer.concat([frame("{oops"), frame(JSON.stringify({ jsonrpc: "1.0", id: 1, method: "session.list" }))]),
      2,
      3,
    );
    expect(parse).toMatchObject({ id: null, error: { code: -32700, data: expect.any(String) } });
    expect(invalid).toMatchObject({ id: 1, error: { code: -32600, data: 'jsonrpc: must be "2.0" (got "1.0")' } });
    expect(listed).toMatchObject({ id: 2, result: { count: 0 } });
  });

  it("answers a batch with one array", async () => {
    const batch = [
      { jsonrpc: "2.0", id: "a", method: "session.list" },
      { jsonrpc: "2.0", id: "b", method: "session.nope" },
    ];
    const [answers] = await sendThenList(frame(JSON.stringify(batch)), 3, 2);
    expect(answers).toMatchObject([
      { id: "a", result: { count: 0 } },
      { id: "b", error: { code: -32601 } },
    ]);
  });

  it("loses one message to a malformed header, never the stream", async () => {
    for (const [index, bad] of [
      "Content-Length: lots\r\n\r\n{}",
      "Content-Type: text/plain\r\n\r\n{}",
      "\u0000\u0001 garbage\r\n\r\n",
    ].entries()) {
      const [error, listed] = await sendThenList(bad, 10 + index, 2);
      expect(error).toMatchObject({ id: null, error: { code: -32700, data: expect.stringMatching(/^header: /) } });
      expect(listed).toMatchObject({ id: 10 + index, result: { count: 0 } });
    }
  });

  it("reads a 50 MB message whose header ends in bare line feeds", async () => {
    const big = JSON.stringify({ jsonrpc: "2.0", id: 20, method: "session.list", params: { pad: "x".repeat(50 << 20) } });
    const [answer, listed] = await sendThenList(`Content-Length: ${big.length}\n\n${big}`, 21, 2);
    expect(answer).toMatchObject({ id: 20, error: { code: -32602, data: 'params: unknown field "pad"' } });
    expect(listed).toMatchObject({ id: 21 });
  });
});

describe("codebeaker run FILE", () => {
  const dir = mkdtempSync(join(tmpdir(), "codebeaker-cli-"));
  const file = (name: string, content: string) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };
  const run = (args: string[], stdin = "") => {
    const child = spawnHost(["run", ...args]);
    const result = finished(child);
    child.stdin!.end(stdin);
    return result;
  };

  it("streams the program's output, forwards stdin, ends with a summary and the program's exit code", async () => {
    const program = file(
      "greet.py",
      "import sys\nname = sys.stdin.readline().strip()\nprint('hello', name)\nprint('oops', file=sys.stderr)\nsys.exit(3)\n",
    );
    const { code, stdout, stderr } = await run([program], "Ada\n");
    expect(stdout).toBe("hello Ada\n");
    expect(stderr).toMatch(/^oops\n── RuntimeError · exit 3 · wall [\d.]+ ms · CPU [\d.]+ ms · peak memory [\d.]+ MB\n/m);
    expect(code).toBe(3);
  });

  it("compiles first where the language needs it, and reports a success", async () => {
    const program = file(
      "Hello.java",
      'public class Hello { public static void main(String[] a) { System.out.println("hi from java"); } }\n',
    );
    const { code, stdout, stderr } = await run([program]);
    expect(stdout).toBe("hi from java\n");
    expect(stderr).toMatch(/── Success · exit 0 · compile [\d.]+ ms · run [\d.]+ ms · CPU [\d.]+ ms · peak memory [\d.]+ MB/);
    expect(code).toBe(0);
  });

  it("applies --timeout and --memory, and exits 124 on a timeout as timeout(1) does", async () => {
    const slow = await run([file("slow.js", "setTimeout(() => {}, 60_000);\n"), "--timeout", "0.5"]);
    expect(slow.stderr).toMatch(/── TimeLimitExceeded/);
    expect(slow.code).toBe(124);
    const hungry = await run([file("hungry.py", 'x = b"x" * (300 * 1024 * 1024)\n'), "--memory", "64m"]);
    expect(hungry.stderr).toMatch(/── MemoryLimitExceeded/);
    expect(hungry.stderr).toMatch(/ran out of its 64 MB/);
  });

  it("stops the program on Ctrl-C, still prints the summary, exits 130 and leaves no container", async () => {
    const child = spawnHost(["run", file("forever.py", "import time\nprint('started', flush=True)\ntime.sleep(600)\n")]);
    const result = finished(child);
    await waitForOutput(child, "started");
    child.kill("SIGINT");
    const { code, stderr } = await result;
    expect(stderr).toMatch(/── Cancelled/);
    expect(stderr).toMatch(/Cancelled: the program was stopped on request/);
    expect(code).toBe(130);
    expect(await containersOwnedBy(child.pid!)).toEqual([]);
  });

  it("leaves no container even when the host is killed outright mid-run", async () => {
    const child = spawnHost(["run", file("forever2.py", "import time\nprint('started', flush=True)\ntime.sleep(600)\n")]);
    const exited = finished(child);
    await waitForOutput(child, "started");
    expect(await containersOwnedBy(child.pid!)).toHaveLength(1);
    child.kill("SIGKILL"); // no cleanup code runs: the runner sees its stdin close, ends, and AutoRemove follows
    await exited;
    await eventually(async () => (await containersOwnedBy(child.pid!)).length === 0, "the orphaned sandbox removed itself");
  });

  it("takes --lang for a file whose extension says nothing, and explains when it cannot tell", async () => {
    const script = file("script.txt", "print('python after all')\n");
    expect((await run([script, "--lang", "python"])).stdout).toBe("python after all\n");
    const unknown = await run([script]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/cannot tell the language of .*script\.txt from its extension; pass --lang/);
  });
});
