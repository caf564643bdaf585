import Docker from "dockerode";
import { DockerBackend } from "./isolation/docker/docker-backend";
import { Isolations } from "./isolation/isolations";
import type { Logger } from "./log";
import { Dispatcher } from "./rpc/dispatcher";
import { registerSessionMethods } from "./rpc/handlers";
import { RuntimeRegistry } from "./runtimes/registry";
import { DEFAULT_SETTINGS, HostSettings, SessionManager } from "./sessions/manager";

/** The host's parts, wired: runtimes, the isolation backends, sessions and the JSON-RPC methods over them. */
export interface Host {
  readonly registry: RuntimeRegistry;
  readonly isolations: Isolations<DockerBackend>;
  readonly sessions: SessionManager;
  readonly dispatcher: Dispatcher;
  /** Ends every session and removes its sandbox. */
  shutdown(): Promise<void>;
}

export interface HostOptions {
  log: Logger;
  settings?: Partial<HostSettings>;
  docker?: Docker;
}

export async function startHost(options: HostOptions): Promise<Host> {
  const { log } = options;
  const registry = RuntimeRegistry.builtIn();
  const docker = options.docker ?? new Docker();
  const isolations = Isolations.forEngine(docker, log);
  const sessions = new SessionManager(isolations, registry, { ...DEFAULT_SETTINGS, ...options.settings }, log);
  const dispatcher = registerSessionMethods(new Dispatcher(log), sessions, isolations);

  const engine = await DockerBackend.probe(docker);
  if (engine.ok) log.info(`Docker engine ${engine.version}`);
  else log.warn(`${engine.reason}; docker and gvisor sessions cannot start until one does`);
  await isolations.removeLeftovers();
  sessions.startExpiry();

  let stopping: Promise<void> | undefined;
  return {
    registry,
    isolations,
    sessions,
    dispatcher,
    shutdown: () =>
      (stopping ??= (async () => {
        sessions.stopExpiry();
        await sessions.closeAll("the host shut down");
        await isolations.dispose();
      })()),
  };
}
