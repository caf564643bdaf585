import { connect, createServer, type Socket } from "node:net";

/** A Docker engine endpoint on loopback TCP, as a remote engine is reached: DOCKER_HOST=tcp://127.0.0.1:PORT. */
export interface TcpEngineEndpoint {
  /** tcp://127.0.0.1:PORT */
  readonly url: string;
  /** What it has carried so far: connections accepted, bytes each way. */
  readonly traffic: { connections: number; toEngine: number; fromEngine: number };
  /** Stops listening and cuts every connection: the engine is then unreachable through it. */
  close(): Promise<void>;
}

/**
 * Forwards each connection, byte for byte, to the local engine's socket; it understands nothing of HTTP, so
 * hijacked attach and exec streams pass as they would to a remote engine, half-closes included (the runner
 * ends when its stdin does). Counts what it carries, so a test can tell the traffic went through it.
 */
export async function startTcpEngineEndpoint(socketPath = "/var/run/docker.sock"): Promise<TcpEngineEndpoint> {
  const traffic = { connections: 0, toEngine: 0, fromEngine: 0 };
  const open = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (client) => {
    traffic.connections++;
    const engine = connect({ path: socketPath, allowHalfOpen: true });
    for (const socket of [client, engine]) {
      open.add(socket);
      socket.once("close", () => open.delete(socket));
    }
    client.on("data", (chunk: Buffer) => (traffic.toEngine += chunk.length));
    engine.on("data", (chunk: Buffer) => (traffic.fromEngine += chunk.length));
    client.pipe(engine);
    engine.pipe(client);
    // A reset on one side is a reset on the other, as with a real connection.
    client.once("error", () => engine.destroy());
    engine.once("error", () => client.destroy());
    client.once("close", () => engine.destroy());
    engine.once("close", () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    url: `tcp://127.0.0.1:${port}`,
    traffic,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      }),
  };
}

/** A loopback TCP port nothing listens on (it was free a moment ago): an unreachable engine. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
