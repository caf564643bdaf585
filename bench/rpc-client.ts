import WebSocket from "ws";

interface Pending {
  method: string;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/** A JSON-RPC 2.0 error answered by the host. */
export class RpcCallError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
  ) {
    super(`${method} failed (${code}): ${message}`);
  }
}

/** The smallest JSON-RPC client over one WebSocket: one text frame per message; notifications are ignored. */
export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  private constructor(private readonly socket: WebSocket) {
    socket.on("message", (data) => this.receive(data.toString()));
    socket.on("close", () => this.failAll("the WebSocket closed"));
    socket.on("error", (error) => this.failAll(error.message));
  }

  static connect(url: string): Promise<RpcClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once("open", () => resolve(new RpcClient(socket)));
      socket.once("error", reject);
    });
  }

  call<T>(method: string, params: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, {
        method,
        resolve: (result) => resolve(result as T),
        reject: (error) => reject(error),
      });
      this.socket.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }), (error) => {
        if (error) this.settle(id)?.reject(new Error(`${method}: ${error.message}`));
      });
    });
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.close();
    });
  }

  private receive(text: string): void {
    const message = JSON.parse(text) as {
      id?: number | null;
      method?: string;
      result?: unknown;
      error?: { code: number; message: string };
    };
    if (message.method !== undefined || typeof message.id !== "number") return; // a notification
    const pending = this.settle(message.id);
    if (!pending) return;
    if (message.error) pending.reject(new RpcCallError(pending.method, message.error.code, message.error.message));
    else pending.resolve(message.result);
  }

  private settle(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    return pending;
  }

  private failAll(reason: string): void {
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(new Error(`${pending.method}: ${reason}`));
    }
  }
}
