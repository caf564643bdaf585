import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import type { Logger } from "../log";
import type { Dispatcher } from "../methods/dispatcher";
import { RpcConnection } from "./connection";

export const JSON_RPC_PATH = "/ws/jsonrpc";

export interface WebSocketOptions {
  host: string;
  port: number;
  /** Required when `host` is reachable from other machines. Clients send `Authorization: Bearer …` or `?token=`. */
  token?: string;
  /** Web origins allowed to connect. A request that carries any other Origin comes from a web page: refused. */
  allowedOrigins: string[];
  /** What GET /health reports besides `status`. */
  health?: () => Record<string, unknown>;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Refuses to expose the sandbox to the network without a token: anyone who can connect can run code. */
export function checkExposure(options: Pick<WebSocketOptions, "host" | "token">): string | undefined {
  if (!isLoopback(options.host) && !options.token) {
    return `--host ${options.host} is reachable from other machines, and anyone who connects can run code: pass --token (or set CODEBEAKER_TOKEN)`;
  }
  return undefined;
}

/** The guide's endpoint: ws://HOST:PORT/ws/jsonrpc, one JSON-RPC message per text frame, and GET /health. */
export async function serveWebSocket(dispatcher: Dispatcher, log: Logger, options: WebSocketOptions): Promise<RunningServer> {
  const exposure = checkExposure(options);
  if (exposure) throw new Error(exposure);

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 << 20 });
  const newServer = () =>
    createServer((request, response) => answerHttp(request, response, options)).on(
      "upgrade",
      (request: IncomingMessage, socket: Duplex, head: Buffer) => {
        const peer = request.socket.remoteAddress;
        const refusal = refuseUpgrade(request, options);
        // Node leaves an upgraded socket without an error listener: a client that resets it (closing with our
        // answer unread) would otherwise raise an unhandled 'error' and end the host, before any authentication.
        socket.on("error", (error) => {
          log.debug(`${refusal ? "refused connection" : "WebSocket connection"} from ${peer}: ${error.message}`);
        });
        if (refusal) {
          log.warn(`refused a WebSocket connection from ${peer}: ${refusal}`);
          socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
          return;
        }
        sockets.handleUpgrade(request, socket, head, (ws) => attach(ws, dispatcher, log));
      },
    );

  // "localhost" may resolve to 127.0.0.1 or to ::1 depending on the client: listen on both, on one port.
  const [first, ...others] = options.host === "localhost" ? ["127.0.0.1", "::1"] : [options.host];
  const servers = [newServer()];
  await listen(servers[0]!, options.port, first!);
  const { port } = servers[0]!.address() as AddressInfo;
  for (const address of others) {
    const extra = newServer();
    await listen(extra, port, address).then(
      () => servers.push(extra),
      (error: Error) => log.warn(`not listening on ${address}: ${error.message}`),
    );
  }
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `ws://${host}:${port}${JSON_RPC_PATH}`,
    port,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function attach(ws: WebSocket, dispatcher: Dispatcher, log: Logger): void {
  const send = (text: string) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(text);
  };
  const connection = new RpcConnection(dispatcher, send, log);
  ws.on("message", (data, isBinary) => {
    void connection.receive(isBinary ? Buffer.from(data as Buffer).toString("utf8") : data.toString());
  });
  ws.on("error", (error) => log.warn(`WebSocket client: ${error.message}`));
}

function answerHttp(request: IncomingMessage, response: ServerResponse, options: WebSocketOptions): void {
  const { pathname } = new URL(request.url ?? "/", "http://localhost");
  if (request.method === "GET" && pathname === "/health") {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ status: "ok", ...options.health?.() }));
    return;
  }
  response.writeHead(pathname === JSON_RPC_PATH ? 426 : 404, { "content-type": "text/plain" });
  response.end(pathname === JSON_RPC_PATH ? "Upgrade to WebSocket required\n" : "Not found\n");
}

/** Why an upgrade is refused, as an HTTP status line, or undefined to accept it. */
function refuseUpgrade(request: IncomingMessage, options: WebSocketOptions): string | undefined {
  const url = new URL(request.url ?? "/", "http://localhost");
  if (url.pathname !== JSON_RPC_PATH) return "404 Not Found";
  const origin = request.headers.origin;
  if (origin !== undefined && !options.allowedOrigins.includes("*") && !options.allowedOrigins.includes(origin)) {
    return "403 Forbidden (web pages may not connect; allow this Origin with --allow-origin)";
  }
  if (options.token) {
    const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? "")?.[1];
    const offered = bearer ?? url.searchParams.get("token") ?? "";
    if (!sameSecret(offered, options.token)) return "401 Unauthorized (a token is required)";
  }
  return undefined;
}

function sameSecret(offered: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(offered), digest(expected));
}
