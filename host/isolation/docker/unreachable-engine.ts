import type Docker from "dockerode";
import type { EngineConnection } from "./engine-connection";

/** Where the engine is and what named it: what a message about an engine that does not answer points to. */
export type EngineAddress = Pick<EngineConnection, "endpoint" | "source">;

const UNREACHABLE = ["ENOENT", "ECONNREFUSED", "EACCES", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"];

/** The address of an engine given as dockerode options alone (tests; a host handed its `docker`). */
export function addressOf(docker: Docker): EngineAddress {
  const modem = (docker.modem ?? {}) as { socketPath?: unknown; host?: string; port?: number; protocol?: string };
  if (modem.host)
    return { endpoint: `${modem.protocol === "ssh" ? "ssh" : "tcp"}://${modem.host}:${modem.port}`, source: "the engine options" };
  const socket = typeof modem.socketPath === "string" ? modem.socketPath : "/var/run/docker.sock";
  return { endpoint: `unix://${socket}`, source: "the local socket" };
}

/** Whether an error says no engine could be reached (rather than that one answered with an error). */
export function isUnreachable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && UNREACHABLE.includes(code);
}

/**
 * A connection error to the engine, said as what it means and what to do; other errors pass unchanged. An
 * engine the user chose (DOCKER_HOST, a context) is named with what chose it: the fix is there, not in Docker.
 */
export function explainUnreachableEngine(error: unknown, address: EngineAddress): Error {
  if (!isUnreachable(error)) return error instanceof Error ? error : new Error(String(error));
  const code = (error as NodeJS.ErrnoException).code!;
  const { endpoint, source } = address;
  let message: string;
  if (source === "DOCKER_HOST") {
    message = `${endpoint} (${code}), the endpoint DOCKER_HOST names: check that an engine listens there and that this machine can reach it, or unset DOCKER_HOST to use the local engine`;
  } else if (source.startsWith("context ")) {
    message = `${endpoint} (${code}), the endpoint of Docker ${source}: check that its engine is running and reachable, or choose another context (docker context use NAME)`;
  } else if (code === "EACCES") {
    message = `${endpoint} (${code}): this user may not use it (add it to the docker group, or run as root)`;
  } else {
    message = `${endpoint} (${code}): start Docker (npm run setup does it on Debian), or point DOCKER_HOST (or a Docker context) at a running engine`;
  }
  return new Error(`no Docker engine answers at ${message}`, { cause: error });
}
