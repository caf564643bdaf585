import Docker from "dockerode";
import { DockerBackend } from "./isolation/docker/docker-backend";
import type { Logger } from "./log";
import { Dispatcher } from "./rpc/dispatcher";
import { registerSessionMethods } from "./rpc/handlers";
import { RuntimeRegistry } from "./runtimes/registry";
import { DEFAULT_SETTINGS, HostSettings, SessionManager } from "./sessions/manager";

/** The host's parts, wired: runtimes, the isolation backend, sessions and the JSON-RPC methods over them. */
export interface Host {
  readonly registry: RuntimeRegistry;
  readonly backend: DockerBackend;
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
  const backend = new DockerBackend(options.docker ?? new Docker(), log);
  const sessions = new SessionManager(backend, registry, { ...DEFAULT_SETTINGS, ...options.settings }, log);
  const dispatcher = registerSessionMethods(new Dispatcher(log), sessions);

  const engine = await DockerBackend.probe(backend.docker);
  if (engine.ok) {
    log.info(`Docker engine ${engine.version}`);
    await backend.removeLeftovers().catch((error) => log.warn(`could not look for leftover sandboxes: ${error}`));
  } else {
    log.warn(`no Docker engine answers (${engine.reason}); sessions cannot start until one does`);
  }
  sessions.startExpiry();

  let stopping: Promise<void> | undefined;
  return {
    registry,
    backend,
    sessions,
    dispatcher,
    shutdown: () =>
      (stopping ??= (async () => {
        sessions.stopExpiry();
        await sessions.closeAll("the host shut down");
        await backend.dispose();
      })()),
  };
}
