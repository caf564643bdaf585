import type Docker from "dockerode";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Which Docker engine the host talks to, found the way the `docker` command finds it. */
export interface EngineConnection {
  /** For dockerode. */
  options: Docker.DockerOptions;
  /** The endpoint as Docker writes it: unix:///var/run/docker.sock, tcp://10.0.0.5:2376, ssh://me@builder. */
  endpoint: string;
  /** Why this endpoint: what a message about an unreachable engine should point the user to. */
  source: string;
}

export class EngineConnectionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "EngineConnectionError";
  }
}

type Environment = Record<string, string | undefined>;

/**
 * The engine, in the docker CLI's order: DOCKER_HOST; else the context named by DOCKER_CONTEXT; else the
 * config's currentContext (DOCKER_CONFIG, or ~/.docker); else the local socket. A context's endpoint and TLS
 * files are read from its store (contexts/meta/<sha256 of its name>/meta.json, contexts/tls/<same>/docker/).
 */
export function resolveEngineConnection(env: Environment = process.env): EngineConnection {
  const configDir = dockerConfigDir(env);
  if (env.DOCKER_HOST) {
    const tls = env.DOCKER_TLS_VERIFY ? tlsFiles(env.DOCKER_CERT_PATH || configDir, "DOCKER_CERT_PATH") : undefined;
    return { ...fromEndpoint(env.DOCKER_HOST, tls, env), source: "DOCKER_HOST" };
  }
  const context = env.DOCKER_CONTEXT
    ? { name: env.DOCKER_CONTEXT, source: `context "${env.DOCKER_CONTEXT}" (DOCKER_CONTEXT)` }
    : currentContext(configDir);
  if (context && context.name !== "default") return fromContext(configDir, context.name, context.source, env);
  return localSocket(env);
}

/** The docker CLI's configuration directory: DOCKER_CONFIG, or ~/.docker. */
export function dockerConfigDir(env: Environment = process.env): string {
  return env.DOCKER_CONFIG || join(homedir(), ".docker");
}

function currentContext(configDir: string): { name: string; source: string } | undefined {
  const file = join(configDir, "config.json");
  if (!existsSync(file)) return undefined;
  let config: { currentContext?: unknown };
  try {
    config = JSON.parse(readFileSync(file, "utf8")) as { currentContext?: unknown };
  } catch (cause) {
    throw new EngineConnectionError(`${file} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  return typeof config.currentContext === "string" && config.currentContext
    ? { name: config.currentContext, source: `context "${config.currentContext}" (currentContext in ${file})` }
    : undefined;
}

interface ContextMeta {
  Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } };
}

function fromContext(configDir: string, name: string, source: string, env: Environment): EngineConnection {
  const id = createHash("sha256").update(name).digest("hex");
  const metaFile = join(configDir, "contexts", "meta", id, "meta.json");
  if (!existsSync(metaFile)) {
    throw new EngineConnectionError(`Docker context "${name}" is not defined: ${metaFile} does not exist (see: docker context ls)`);
  }
  let meta: ContextMeta;
  try {
    meta = JSON.parse(readFileSync(metaFile, "utf8")) as ContextMeta;
  } catch (cause) {
    throw new EngineConnectionError(`${metaFile} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  const endpoint = meta.Endpoints?.docker;
  if (!endpoint?.Host) throw new EngineConnectionError(`Docker context "${name}" has no docker endpoint (${metaFile})`);
  if (endpoint.SkipTLSVerify) {
    throw new EngineConnectionError(
      `Docker context "${name}" skips TLS verification, which CodeBeaker does not do: give the context the engine's CA (docker context update --docker ca=…)`,
    );
  }
  const tlsDir = join(configDir, "contexts", "tls", id, "docker");
  const tls = existsSync(tlsDir) ? tlsFiles(tlsDir, `context "${name}"`) : undefined;
  return { ...fromEndpoint(endpoint.Host, tls, env), source };
}

function localSocket(env: Environment): EngineConnection {
  // Docker Desktop and rootless setups put the socket under the user's home; the system one is the fallback.
  const candidates = [join(homedir(), ".docker", "run", "docker.sock"), "/var/run/docker.sock"];
  if (env.XDG_RUNTIME_DIR) candidates.splice(1, 0, join(env.XDG_RUNTIME_DIR, "docker.sock"));
  const socketPath = candidates.find((path) => existsSync(path)) ?? "/var/run/docker.sock";
  return { options: { socketPath, host: undefined }, endpoint: `unix://${socketPath}`, source: "the local socket" };
}

interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** ca.pem, cert.pem and key.pem from a directory; the ones that exist. */
function tlsFiles(dir: string, what: string): TlsMaterial {
  const read = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name)) : undefined);
  const material = { ca: read("ca.pem"), cert: read("cert.pem"), key: read("key.pem") };
  if (!material.ca && !material.cert) throw new EngineConnectionError(`TLS is asked for, but ${what} (${dir}) has no ca.pem or cert.pem`);
  return material;
}

/** dockerode's options for one endpoint URL: unix://, tcp:// (http, or https with TLS material), ssh://. */
export function fromEndpoint(endpoint: string, tls: TlsMaterial | undefined, env: Environment = {}): Omit<EngineConnection, "source"> {
  if (endpoint.startsWith("unix://") || endpoint.startsWith("npipe://")) {
    const socketPath = endpoint.slice(endpoint.indexOf("://") + 3);
    if (!socketPath) throw new EngineConnectionError(`${endpoint} names no socket`);
    return { options: { socketPath, host: undefined }, endpoint };
  }
  let url: URL;
  try {
    url = new URL(endpoint.includes("://") ? endpoint : `tcp://${endpoint}`);
  } catch (cause) {
    throw new EngineConnectionError(`"${endpoint}" is not a Docker endpoint (like tcp://host:2375, ssh://user@host)`, { cause });
  }
  if (url.protocol === "ssh:") {
    if (!url.hostname) throw new EngineConnectionError(`${endpoint} names no host`);
    return {
      options: {
        protocol: "ssh",
        host: url.hostname,
        port: Number(url.port || 22),
        username: decodeURIComponent(url.username) || undefined,
        // Keys come from the user's ssh agent, as the docker CLI's own ssh connection takes them.
        sshOptions: { agent: env.SSH_AUTH_SOCK },
      },
      endpoint,
    };
  }
  if (url.protocol !== "tcp:" && url.protocol !== "http:" && url.protocol !== "https:") {
    throw new EngineConnectionError(`${endpoint}: Docker endpoints are unix://, tcp:// or ssh:// (got ${url.protocol}//)`);
  }
  if (!url.hostname) throw new EngineConnectionError(`${endpoint} names no host`);
  const secure = tls !== undefined || url.protocol === "https:";
  const port = Number(url.port || (secure ? 2376 : 2375));
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1"); // an IPv6 literal, without the URL's brackets
  const options: Docker.DockerOptions = { protocol: secure ? "https" : "http", host, port, ...(tls ?? {}) };
  return { options, endpoint: `tcp://${url.hostname}:${port}` };
}
