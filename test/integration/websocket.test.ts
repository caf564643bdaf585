import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { containersOf, docker } from "./helpers";
import { finished, spawnHost, startServer, stop } from "./processes";

/** A client written only from the API guide: plain `ws`, one JSON text per message, ids chosen by the client. */
class GuideClient {
  private readonly waiting = new Map<unknown, (message: any) => void>();
  readonly notifications: any[] = [];
  /** Every message, in the order it came. */
  readonly received: any[] = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const message = JSON.parse(data.toString());
      this.received.push(message);
      if (Array.isArray(message) || !("method" in message)) {
        const id = Array.isArray(message) ? "batch" : message.id;
        this.waiting.get(id)?.(message);
        this.waiting.delete(id);
      } else this.notifications.push(message);
    });
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<GuideClient> {
    const ws = new WebSocket(url, { headers });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new GuideClient(ws)));
      ws.once("unexpected-response", (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
      ws.once("error", reject);
    });
  }

  /** Sends raw text and resolves with the answer to `id` (or the batch answer). */
  sendRaw(text: string, id: unknown): Promise<any> {
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.ws.send(text);
    });
  }

  private nextId = 1;
  request(method: string, params?: unknown): Promise<any> {
    const id = this.nextId++;
    return this.sendRaw(JSON.stringify({ jsonrpc: "2.0", id, method, params }), id);
  }

  close(): void {
    this.ws.close();
  }
}

describe("codebeaker serve: the guide's WebSocket API", () => {
  let server: { url: string; child: ChildProcess };
  let client: GuideClient;
  /** Images a test made: removed once the server is gone, with the ready sandboxes it kept of them. */
  const imagesMade: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    client = await GuideClient.open(server.url);
  });
  afterAll(async () => {
    client?.close();
    if (server) expect(await stop(server.child)).toBe(0);
    for (const image of imagesMade.reverse()) await docker.getImage(image).remove();
  });

  it("serves at ws://localhost:PORT/ws/jsonrpc on both loopback addresses, with GET /health beside it", async () => {
    expect(server.url).toMatch(/^ws:\/\/localhost:\d+\/ws\/jsonrpc$/);
    for (const address of ["127.0.0.1", "[::1]"]) {
      const health = await fetch(server.url.replace("ws://localhost", `http://${address}`).replace("/ws/jsonrpc", "/health"));
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: "ok" });
    }
  });

  it("walks through the guide: create, write_file, execute_shell, read_file, list, close", async () => {
    const created = await client.request("session.create", {
      language: "python",
      idleTimeoutMinutes: 30,
      maxLifetimeMinutes: 120,
      memoryLimitMB: 512,
    });
    expect(created).toMatchObject({
      jsonrpc: "2.0",
      id: 1,
      result: {
        sessionId: expect.any(String),
        containerId: expect.any(String),
        language: "python",
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/),
        state: "Active",
        config: { idleTimeoutMinutes: 30, maxLifetimeMinutes: 120 },
      },
    });
    const { sessionId } = created.result;

    const written = await client.request("session.execute", {
      sessionId,
      command: { type: "write_file", path: "/workspace/hello.py", content: "print('Hello, World!')", mode: "Create" },
    });
    expect(written.result).toMatchObject({
      success: true,
      result: { path: "/workspace/hello.py", bytes: 22 },
      error: null,
      durationMs: expect.any(Number),
    });

    const ran = await client.request("session.execute", {
      sessionId,
      command: { type: "execute_shell", commandName: "python3", args: ["/workspace/hello.py"], workingDirectory: "/workspace" },
    });
    expect(ran.result).toMatchObject({
      success: true,
      result: { exitCode: 0, stdout: "Hello, World!\n", stderr: "", durationMs: expect.any(Number) },
      error: null,
      durationMs: expect.any(Number),
      status: "Success",
      metrics: { wallMs: expect.any(Number), cpuMs: expect.any(Number), peakMemoryBytes: expect.any(Number) },
    });

    const read = await client.request("session.execute", {
      sessionId,
      command: { type: "read_file", path: "/workspace/hello.py" },
    });
    expect(read.result).toMatchObject({ success: true, result: { content: "print('Hello, World!')", bytes: 22 }, error: null });

    const listed = await client.request("session.list", {});
    const entry = listed.result.sessions.find((session: any) => session.sessionId === sessionId);
    expect(listed.result.count).toBeGreaterThanOrEqual(1);
    expect(entry).toMatchObject({
      sessionId,
      containerId: created.result.containerId,
      language: "python",
      createdAt: created.result.createdAt,
      lastActivity: expect.any(String),
      state: expect.stringMatching(/^(Active|Idle)$/),
      executionCount: 3,
      idleMinutes: expect.any(Number),
      lifetimeMinutes: expect.any(Number),
    });

    const closed = await client.request("session.close", { sessionId });
    expect(closed).toEqual({ jsonrpc: "2.0", id: closed.id, result: { sessionId, closed: true } });
    expect(await containersOf(sessionId)).toEqual([]);
    // A call on it now: SessionEnded, with the message -32602 had, and the session and reason as data (an object:
    // asked on a client of its own, as the test of the guide's errors counts this client's string data).
    const later = await GuideClient.open(server.url);
    try {
      expect(await later.request("session.execute", { sessionId, command: { type: "list_directory" } })).toMatchObject({
        error: {
          code: -32004,
          message: `Invalid params: sessionId: session ${sessionId} has ended: it was closed by session.close`,
          data: { sessionId, reason: "it was closed by session.close" },
        },
      });
    } finally {
      later.close();
    }
  });

  it("keeps files between commands (the guide's multi-turn and CSV scenarios)", async () => {
    const { result } = await client.request("session.create", { language: "python" });
    const run = (command: object) => client.request("session.execute", { sessionId: result.sessionId, command });
    await run({ type: "write_file", path: "/workspace/data.py", content: "x = 10\ny = 20" });
    await run({ type: "write_file", path: "/workspace/calc.py", content: 'from data import x, y\nprint(f"Sum: {x + y}")' });
    expect((await run({ type: "execute_shell", commandName: "python3", args: ["/workspace/calc.py"] })).result.result.stdout).toBe(
      "Sum: 30\n",
    );
    await run({ type: "write_file", path: "/workspace/data.csv", content: "name,age\nAlice,30\nBob,25\nCharlie,35" });
    await run({
      type: "write_file",
      path: "/workspace/process.py",
      content:
        "\nimport csv\n\nwith open('/workspace/data.csv', 'r') as f:\n    reader = csv.DictReader(f)\n    total_age = sum(int(row['age']) for row in reader)\n\nprint(f\"Total age: {total_age}\")\n",
    });
    expect((await run({ type: "execute_shell", commandName: "python3", args: ["/workspace/process.py"] })).result.result.stdout).toBe(
      "Total age: 90\n",
    );
    await client.request("session.close", { sessionId: result.sessionId });
  });

  it("runs the guide's Deno examples: execute_code answers with the output, files import each other", async () => {
    const { result } = await client.request("session.create", { language: "deno", idleTimeoutMinutes: 30 });
    const run = (command: object) => client.request("session.execute", { sessionId: result.sessionId, command });
    const code =
      "const greeting: string = 'Hello from Deno!';\nconsole.log(greeting);\nconst sum = (a: number, b: number): number => a + b;\nconsole.log(`Sum: ${sum(10, 20)}`);";
    expect((await run({ type: "execute_code", code })).result).toMatchObject({
      success: true,
      result: "Hello from Deno!\nSum: 30",
      durationMs: expect.any(Number),
    });
    await run({
      type: "write_file",
      path: "calculator.ts",
      content:
        "interface Calculator {\n  add(a: number, b: number): number;\n}\n\nconst calc: Calculator = {\n  add: (a, b) => a + b\n};\n\nconsole.log('Result:', calc.add(15, 25));",
    });
    expect((await run({ type: "execute_code", code: "// Import from file\nimport('./calculator.ts');" })).result.result).toBe("Result: 40");
    await client.request("session.close", { sessionId: result.sessionId });
  });

  it("answers bad input with the guide's error codes and says what was wrong", async () => {
    expect(await client.sendRaw("{not json", null)).toMatchObject({
      id: null,
      error: { code: -32700, message: expect.stringMatching(/^Parse error: /), data: expect.stringMatching(/JSON/) },
    });
    expect(await client.sendRaw(JSON.stringify({ id: 7, method: "session.list" }), 7)).toMatchObject({
      id: 7,
      error: { code: -32600, message: 'Invalid Request: the "jsonrpc" member must be "2.0"', data: 'jsonrpc: must be "2.0" (got nothing)' },
    });
    expect(await client.sendRaw(JSON.stringify({ jsonrpc: "1.0", id: 8, method: "session.list" }), 8)).toMatchObject({
      id: 8,
      error: { code: -32600, data: 'jsonrpc: must be "2.0" (got "1.0")' },
    });
    expect(await client.request("session.destroy", {})).toMatchObject({
      error: {
        code: -32601,
        message: expect.stringMatching(/^Method not found: session.destroy/),
        data: expect.stringMatching(/^method: no method named "session.destroy"; the methods are session.create, /),
      },
    });
    expect(await client.request("session.create", { language: "python", memoryLimitMB: "lots" })).toMatchObject({
      error: { code: -32602, message: "Invalid params: memoryLimitMB: expected number, received string" },
    });
    expect(await client.request("session.create", {})).toMatchObject({
      error: { code: -32602, message: "Invalid params: language: is required (a string)" },
    });
    expect(
      await client.request("session.execute", { sessionId: "x", command: { type: "read_file", path: "/workspace/../etc/passwd" } }),
    ).toMatchObject({
      error: {
        code: -32602,
        message: 'Invalid params: command.path: path "/workspace/../etc/passwd" resolves to /etc/passwd, outside /workspace',
      },
    });
    expect(await client.request("session.execute", { sessionId: "x", command: { type: "rm_rf", path: "/" } })).toMatchObject({
      error: { code: -32602, message: expect.stringMatching(/^Invalid params: command.type: must be one of write_file, read_file/) },
    });
    expect(await client.request("session.execute", { sessionId: "nope", command: { type: "list_directory" } })).toMatchObject({
      error: {
        code: -32602,
        message: expect.stringMatching(/^Invalid params: sessionId: no session nope/),
        data: expect.stringMatching(/^sessionId: no session nope/),
      },
    });
    expect(await client.request("session.close", { sessionId: "nope" })).toMatchObject({
      error: { code: -32602, data: expect.stringMatching(/^sessionId: no session nope/) },
    });
    expect(await client.request("session.create", { language: "cobol" })).toMatchObject({
      error: { code: -32602, data: expect.stringMatching(/^language: unknown language "cobol" \(known: .*python/) },
    });
    // Every error reply carries data, as the guide's error shape does.
    const errors = client.received.filter((message) => message.error);
    expect(errors.length).toBeGreaterThanOrEqual(11);
    for (const { error } of errors) expect(error.data, JSON.stringify(error)).toEqual(expect.any(String));
  });

  it("answers a batch, and sends nothing back for a notification", async () => {
    const batch = JSON.stringify([
      { jsonrpc: "2.0", id: "a", method: "session.list", params: {} },
      { jsonrpc: "2.0", method: "session.list" },
      { jsonrpc: "2.0", id: "b", method: "nope" },
    ]);
    const answers = await client.sendRaw(batch, "batch");
    expect(answers).toHaveLength(2);
    expect(answers[0]).toMatchObject({ id: "a", result: { count: expect.any(Number) } });
    expect(answers[1]).toMatchObject({ id: "b", error: { code: -32601 } });
  });

  /**
   * A custom image (the guide's dockerImage) gets CodeBeaker's runner added: a small build. This base is one of a
   * kind (its own label), so that build cannot come from Docker's cache: it happens in the test.
   */
  async function freshBaseImage(): Promise<string> {
    const [repo, tag] = ["codebeaker-test/base", `${Date.now()}-${imagesMade.length}`];
    const container = await docker.createContainer({ Image: "debian:bookworm-slim" });
    try {
      await container.commit({ repo, tag, changes: `LABEL codebeaker-test.base="${tag}"` });
    } finally {
      await container.remove();
    }
    imagesMade.push(`${repo}:${tag}`);
    return `${repo}:${tag}`;
  }

  it("sends a client that never asked for notifications only its answer, even while an image builds", async () => {
    // The guide's client: send one request, read one message. Its first message must be its answer.
    const guide = await GuideClient.open(server.url);
    try {
      const base = await freshBaseImage();
      const asked = new Date();
      const created = await guide.request("session.create", { language: "python", dockerImage: base });
      imagesMade.push(created.result.image);
      expect(guide.received).toEqual([created]);
      // …and the image was indeed built while it waited (whole seconds: Docker's clock and ours may round apart).
      const built = new Date((await docker.getImage(created.result.image).inspect()).Created);
      expect(Math.floor(built.getTime() / 1000)).toBeGreaterThanOrEqual(Math.floor(asked.getTime() / 1000));
      await guide.request("session.close", { sessionId: created.result.sessionId });
    } finally {
      guide.close();
    }
  });

  it("reports an image build as image.progress notifications to a client that asked", async () => {
    const subscribed = await client.request("notifications.subscribe", { methods: ["image.progress"] });
    expect(subscribed.result).toEqual({ methods: ["image.progress"] });
    const created = await client.request("session.create", { language: "python", dockerImage: await freshBaseImage() });
    expect(created.result.image).toMatch(/^codebeaker\/custom:/);
    imagesMade.push(created.result.image);
    const phases = client.notifications.filter((n) => n.method === "image.progress").map((n) => n.params.phase);
    expect(phases[0]).toBe("start");
    expect(phases).toContain("step");
    expect(phases.at(-1)).toBe("done");
    // Each step says which of how many, so a client need not read the engine's words in `message`.
    const steps = client.notifications.filter((n) => n.method === "image.progress" && n.params.phase === "step").map((n) => n.params.step);
    expect(steps[0]).toMatchObject({ index: 1, count: expect.any(Number), instruction: expect.stringMatching(/^FROM /) });
    expect(steps.every((step) => step.count === steps[0].count)).toBe(true);
    const ran = await client.request("session.execute", {
      sessionId: created.result.sessionId,
      command: { type: "execute_shell", commandName: "cat", args: ["/etc/debian_version"] },
    });
    expect(ran.result.stdout).toMatch(/^12\./);
    await client.request("session.close", { sessionId: created.result.sessionId });
  });
});

describe("codebeaker serve: who may connect", () => {
  it("refuses a web page (any Origin) unless that origin is allowed", async () => {
    const server = await startServer(["--allow-origin", "http://allowed.example"]);
    try {
      await expect(GuideClient.open(server.url, { Origin: "http://evil.example" })).rejects.toThrow("HTTP 403");
      const allowed = await GuideClient.open(server.url, { Origin: "http://allowed.example" });
      expect((await allowed.request("session.list", {})).result).toMatchObject({ count: 0 });
      allowed.close();
      const tool = await GuideClient.open(server.url); // tools send no Origin
      expect((await tool.request("session.list", {})).result.count).toBe(0);
      tool.close();
    } finally {
      await stop(server.child);
    }
  });

  it("will not listen beyond loopback without a token, and checks the token when there is one", async () => {
    const refused = await finished(spawnHost(["serve", "--host", "0.0.0.0", "--port", "0"], { env: { CODEBEAKER_TOKEN: "" } }));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/--host 0.0.0.0 is reachable from other machines.*pass --token/);

    const server = await startServer(["--host", "0.0.0.0", "--token", "s3cret"]);
    try {
      const url = server.url.replace("0.0.0.0", "127.0.0.1");
      await expect(GuideClient.open(url)).rejects.toThrow("HTTP 401");
      await expect(GuideClient.open(url, { Authorization: "Bearer wrong" })).rejects.toThrow("HTTP 401");
      const withHeader = await GuideClient.open(url, { Authorization: "Bearer s3cret" });
      expect((await withHeader.request("session.list")).result.count).toBe(0);
      withHeader.close();
      const withQuery = await GuideClient.open(`${url}?token=s3cret`);
      expect((await withQuery.request("session.list")).result.count).toBe(0);
      withQuery.close();
    } finally {
      await stop(server.child);
    }
  });
});
