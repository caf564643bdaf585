import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Logger } from "../../host/log";
import { Dispatcher } from "../../host/methods/dispatcher";
import { type RunningServer, serveWebSocket } from "../../host/transports/websocket";

/** A logger that keeps what it is told and lets a test wait for a line. */
function recordingLogger() {
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const write = (line: string) => {
    lines.push(line);
    for (const waiter of waiters.filter((w) => w.pattern.test(line))) waiter.resolve();
  };
  const log: Logger = { debug: write, info: write, warn: write, error: write };
  const logged = (pattern: RegExp) =>
    lines.some((line) => pattern.test(line)) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ pattern, resolve }));
  return { log, logged };
}

/**
 * Sends an upgrade request (and bytes after it), waits for the refusal to arrive, then closes with the refusal
 * unread: the kernel answers with a reset (RST), which the host reads as ECONNRESET.
 */
async function upgradeThenReset(port: number, path: string, headers: Record<string, string> = {}): Promise<string> {
  const socket: Socket = connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const lines = Object.entries({
    Host: `127.0.0.1:${port}`,
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version": "13",
    ...headers,
  }).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.write(`GET ${path} HTTP/1.1\r\n${lines.join("")}\r\n` + "x".repeat(64 << 10));
  const statusLine = await new Promise<string>((resolve) => socket.once("data", (chunk) => resolve(chunk.toString().split("\r\n")[0]!)));
  socket.resetAndDestroy();
  return statusLine;
}

describe("serveWebSocket: a client that resets its connection", () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it.each([
    ["a path that is not the endpoint", "/elsewhere", {}, /^HTTP\/1\.1 404/],
    ["a web page's Origin", "/ws/jsonrpc", { Origin: "http://evil.example" }, /^HTTP\/1\.1 403/],
    ["a wrong token", "/ws/jsonrpc?token=wrong", {}, /^HTTP\/1\.1 401/],
    ["(accepted, then reset)", "/ws/jsonrpc?token=s3cret", {}, /^HTTP\/1\.1 101/],
  ])("does not bring the host down: %s", async (_what, path, headers, status) => {
    const { log, logged } = recordingLogger();
    server = await serveWebSocket(new Dispatcher(log), log, { host: "127.0.0.1", port: 0, token: "s3cret", allowedOrigins: [] });
    expect(await upgradeThenReset(server.port, path, headers)).toMatch(status);
    await logged(/ECONNRESET/);
    const health = await fetch(`http://127.0.0.1:${server.port}/health`);
    expect(health.status).toBe(200);
  });
});
