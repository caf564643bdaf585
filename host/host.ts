import Docker from "dockerode";
import { homedir } from "node:os";
import { join } from "node:path";
import { HistoryRecorder } from "./history/recorder";
import { HistoryStore } from "./history/store";
import { DockerBackend } from "./isolation/docker/docker-backend";
import { resolveEngineConnection } from "./isolation/docker/engine-connection";
import { Isolations } from "./isolation/isolations";
import type { Logger } from "./log";
import { Dispatcher } from "./methods/dispatcher";
import { registerDiscover } from "./methods/discover";
import { registerSessionMethods } from "./methods/session-methods";
import { registerHistoryMethods } from "./methods/history-methods";
import { RuntimeRegistry } from "../contract/runtimes/registry";
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
  history?: HistoryOptions;
}

export interface HistoryOptions {
  /** Where each workspace's run history is kept (default: $XDG_DATA_HOME/codebeaker/history). */
  dir?: string;
  /** Runs kept per workspace; older ones are dropped (default 500). */
  maxRuns?: number;
}

function historyDirectory(options: HistoryOptions = {}): string {
  return options.dir ?? join(process.env.XDG_DATA_HOME ?? join(homedir(), ".local", "share"), "codebeaker", "history");
}

export async function startHost(options: HostOptions): Promise<Host> {
  const { log } = options;
  const registry = RuntimeRegistry.builtIn();
  const connection = options.docker ? undefined : resolveEngineConnection();
  const docker = options.docker ?? new Docker(connection!.options);
  const isolations = Isolations.forEngine(docker, log, connection);
  const sessions = new SessionManager(isolations, registry, { ...DEFAULT_SETTINGS, ...options.settings }, log);
  const recorder = new HistoryRecorder(new HistoryStore(historyDirectory(options.history), options.history?.maxRuns ?? 500));
  const dispatcher = registerDiscover(
    registerHistoryMethods(registerSessionMethods(new Dispatcher(log), sessions, isolations, recorder), sessions, recorder),
  );

  const engine = await DockerBackend.probe(docker, connection);
  const at = connection ? ` at ${connection.endpoint} (${connection.source})` : "";
  if (engine.ok) log.info(`Docker engine ${engine.version}${at}`);
  else log.warn(`${engine.reason}; docker and gvisor sessions cannot start until one does`);
  await isolations.removeLeftovers(engine.ok);
  sessions.startExpiry();

  let stopping: Promise<void> | undefined;
  return {
    registry,
    isolations,
    sessions,
    dispatcher,
    shutdown: () =>
      (stopping ??= (async () => {
        await sessions.dispose("the host shut down");
        await isolations.dispose();
      })()),
  };
}
