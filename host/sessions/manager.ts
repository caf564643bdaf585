import type { z } from "zod";
import { ImageProgress, IsolationBackend, IsolationUnavailableError } from "../isolation/backend";
import { LimitOverrides, resolveLimits } from "../../contract/limits";
import type { Logger } from "../log";
import { invalidParams, RpcError, ErrorCodes } from "../../contract/protocol/errors";
import { sessionEnded } from "../../contract/protocol/session-ended";
import type { Isolation, SessionConfig, SessionCreateParams, SessionListResult } from "../../contract/protocol/session";
import type { Runtime } from "../../contract/runtimes/manifest";
import { defaultOf, type RuntimeRegistry } from "../../contract/runtimes/registry";
import { versionList } from "../../contract/runtimes/versions";
import { refusal } from "./refusals";
import { Session } from "./session";
import { spareKey } from "./spare-key";
import { newSessionId, WarmPool } from "./warm-pool";
import { startWarmParts, warmDefinitions } from "./warm-parts";

/** What the person running the host chose (CLI flags, editor settings): below a request, above a runtime. */
export interface HostSettings {
  limits: LimitOverrides;
  networkEnabled: boolean;
  isolation: Isolation;
  maxSessions: number;
  /** Ready sandboxes kept per configuration once it has been used (0: none, every session.create starts one). */
  warmPoolSize: number;
  /** Ready sandboxes of all configurations together. */
  warmPoolMaxSpares: number;
  /** A configuration's ready sandboxes are removed after it was not used for this long. */
  warmPoolIdleMinutes: number;
}

export const DEFAULT_SETTINGS: HostSettings = {
  limits: {},
  networkEnabled: false,
  isolation: "auto",
  maxSessions: 32,
  warmPoolSize: 1,
  warmPoolMaxSpares: 8,
  warmPoolIdleMinutes: 10,
};

/** Picks the backend a session runs in (see Isolations). */
export interface BackendChooser {
  choose(requested: Isolation): Promise<IsolationBackend>;
}

/**
 * Ended sessions whose reason is kept, so that a client still holding one's id hears SessionEnded (and starts a
 * new session) rather than "no session". An entry is an id and a sentence: ten thousand cost about a megabyte.
 */
const REMEMBERED_ENDINGS = 10_000;

/** Owns the sessions: creates their sandboxes, finds them by id, ends them when they expire. */
export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  /** Why recently ended sessions ended, so a late command hears the reason rather than "unknown". */
  private readonly endings = new Map<string, string>();
  private pending = 0;
  private reaper: NodeJS.Timeout | undefined;
  /** Ready sandboxes: never sessions, never listed; a session.create that matches one skips starting a sandbox. */
  readonly pool: WarmPool;

  constructor(
    private readonly isolations: BackendChooser,
    private readonly registry: RuntimeRegistry,
    private readonly settings: HostSettings,
    private readonly log: Logger,
  ) {
    this.pool = new WarmPool(
      {
        size: settings.warmPoolSize ?? DEFAULT_SETTINGS.warmPoolSize,
        maxSpares: settings.warmPoolMaxSpares ?? DEFAULT_SETTINGS.warmPoolMaxSpares,
        idleMs: (settings.warmPoolIdleMinutes ?? DEFAULT_SETTINGS.warmPoolIdleMinutes) * 60_000,
      },
      log,
    );
  }

  async create(params: z.output<typeof SessionCreateParams>, onProgress?: (progress: ImageProgress) => void): Promise<Session> {
    const versions = this.registry.versions(params.language);
    if (!versions.length) {
      throw invalidParams(`language: unknown language "${params.language}" (known: ${this.registry.languages().join(", ")})`);
    }
    // The version checked now, before any backend is chosen; which one runs is settled once it is.
    const asked = params.version === undefined ? undefined : this.registry.find(params.language, params.version);
    if (params.version !== undefined && !asked) throw unknownVersion(versions, params.version);
    const runtime = asked ?? defaultOf(versions)!;
    if (params.permissions && !runtime.manifest.permissions) {
      throw invalidParams(
        `permissions: only runtimes with permission switches take them (deno); a ${runtime.manifest.language} session is confined by its sandbox alone`,
      );
    }
    const packages = [...new Set(params.packages ?? [])].sort();
    if (packages.length) checkPackages(runtime, params);
    if (this.sessions.size + this.pending >= this.settings.maxSessions) {
      throw new RpcError(
        ErrorCodes.TooManySessions,
        `Too many sessions: ${this.settings.maxSessions} are open; close one (session.close) before creating another`,
        `maxSessions: this host allows ${this.settings.maxSessions} open at once`,
      );
    }
    const limits = resolveLimits({
      request: {
        memoryMb: params.memoryLimitMB,
        cpuShares: params.cpuShares,
        cpus: params.cpuLimit,
        pids: params.pidsLimit,
        timeoutMs: params.timeoutMs,
        compileTimeoutMs: params.compileTimeoutMs,
        outputBytes: params.outputLimitBytes,
      },
      user: this.settings.limits,
      runtime: runtime.manifest.limits,
    });
    const networkEnabled = params.networkEnabled ?? this.settings.networkEnabled;
    const config: SessionConfig = {
      idleTimeoutMinutes: params.idleTimeoutMinutes,
      maxLifetimeMinutes: params.maxLifetimeMinutes,
      memoryLimitMB: limits.memoryMb,
      cpuShares: limits.cpuShares,
      dockerImage: params.dockerImage ?? null,
      cpuLimit: limits.cpus,
      pidsLimit: limits.pids,
      networkEnabled,
      timeoutMs: limits.timeoutMs,
      compileTimeoutMs: limits.compileTimeoutMs,
      outputLimitBytes: limits.outputBytes,
      permissions: params.permissions ?? null,
      commands: params.commands ?? null,
      packages,
      warm: params.warm,
    };
    this.pending++;
    const isolation = params.isolation ?? this.settings.isolation;
    try {
      const backend = await this.isolations.choose(isolation);
      if (packages.length && backend.kind === "process") {
        throw new IsolationUnavailableError(
          "process",
          "packages are installed into a Docker image, and process isolation (bubblewrap) runs this machine's own toolchains: use docker or gvisor isolation for a session with packages",
        );
      }
      const chosen = versionOn(backend, versions, asked);
      const spec = { runtime: chosen, limits, networkEnabled, customImage: params.dockerImage, packages };
      // A sandbox is ready once its warm parts are started: a spare's too, so a pooled session's first run is warm.
      const ready = async (sessionId: string, progress?: typeof onProgress) => {
        const sandbox = await backend.createSandbox({ ...spec, sessionId }, progress);
        try {
          await startWarmParts(sandbox, warmDefinitions(chosen, config, sandbox), this.log);
        } catch (error) {
          await sandbox.close().catch(() => undefined);
          throw error;
        }
        return sandbox;
      };
      const recipe = { key: spareKey(backend.kind, config, spec), create: (sessionId: string) => ready(sessionId) };
      // A spare was made for a session id of its own (its container's name and label): the session takes it.
      const spare = await this.pool.take(recipe.key);
      const id = spare?.sessionId ?? newSessionId();
      const sandbox = spare?.sandbox ?? (await ready(id, onProgress));
      const session = new Session(id, chosen, config, limits, sandbox, backend.kind, warmDefinitions(chosen, config, sandbox));
      this.sessions.set(id, session);
      void sandbox.ended.then((end) => this.forget(session, end.detail));
      this.pool.keepWarm(recipe);
      const how = spare ? "took a ready sandbox" : "started";
      this.log.info(
        `session ${id} (${chosen.manifest.language} ${chosen.manifest.version}, ${backend.kind}) ${how} ${sandbox.id.slice(0, 12)}`,
      );
      return session;
    } catch (error) {
      throw refusal(error, params, isolation);
    } finally {
      this.pending--;
    }
  }

  /**
   * A live session, or an error that says why there is none: SessionEnded for one that existed here and has
   * ended, with the reason; invalid params for an id this host never gave (or ended too long ago to remember).
   */
  get(sessionId: string): Session {
    const session = this.sessions.get(sessionId);
    if (session) return session;
    const ending = this.endings.get(sessionId);
    if (ending) throw sessionEnded(sessionId, ending);
    throw invalidParams(`sessionId: no session ${sessionId} (sessions end after their idle timeout or lifetime; see session.list)`);
  }

  list(): SessionListResult {
    const now = Date.now();
    const sessions = [...this.sessions.values()].map((session) => session.summary(now));
    return { count: sessions.length, sessions };
  }

  async close(sessionId: string, reason: string): Promise<void> {
    const session = this.get(sessionId);
    this.forget(session, reason);
    await session.sandbox.close();
  }

  async closeAll(reason: string): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id, reason).catch(() => undefined)));
  }

  /** Ends every session and removes every ready sandbox; no spare is made after this. */
  async dispose(reason: string): Promise<void> {
    this.stopExpiry();
    await Promise.all([this.pool.close(), this.closeAll(reason)]);
  }

  /** Ends sessions whose idle timeout or lifetime ran out, and idle spares, checking every `intervalMs`. */
  startExpiry(intervalMs = 1000): void {
    this.reaper ??= setInterval(() => {
      this.pool.sweep();
      const now = Date.now();
      for (const session of this.sessions.values()) {
        const reason = session.expiry(now);
        if (reason) {
          this.log.info(`session ${session.id} ends: ${reason}`);
          void this.close(session.id, reason).catch((error) => this.log.error(`closing ${session.id}: ${error}`));
        }
      }
    }, intervalMs);
    this.reaper.unref();
  }

  stopExpiry(): void {
    clearInterval(this.reaper);
    this.reaper = undefined;
  }

  private forget(session: Session, reason: string): void {
    if (!this.sessions.delete(session.id)) return;
    session.closedReason ??= reason;
    this.endings.set(session.id, session.closedReason);
    if (this.endings.size > REMEMBERED_ENDINGS) this.endings.delete(this.endings.keys().next().value!);
  }
}

/** -32602 for a version the language does not have, listing those it has (in the message and in `data`). */
function unknownVersion(versions: readonly Runtime[], asked: string): RpcError {
  const { language } = versions[0]!.manifest;
  const fallback = defaultOf(versions)!.manifest.version;
  return invalidParams(`version: ${language} has no version "${asked}" (there are ${versionList(versions)}; the default is ${fallback})`, {
    language,
    version: asked,
    versions: versions.map((runtime) => runtime.manifest.version),
    default: fallback,
  });
}

/**
 * The version a session runs on a backend: the one asked for, or the default; a backend that runs this
 * machine's own toolchains (process) has only the versions they are, and its default is the newest of those.
 */
function versionOn(backend: IsolationBackend, versions: readonly Runtime[], asked: Runtime | undefined): Runtime {
  if (!backend.versionsHere) return asked ?? defaultOf(versions)!;
  const here = backend.versionsHere(versions);
  const { language } = versions[0]!.manifest;
  const has = here.length
    ? `this machine's own ${language} is ${versionList(here)}`
    : `this machine has no ${language} of a version CodeBeaker has (${versionList(versions)})`;
  if (asked && !here.includes(asked)) {
    throw new IsolationUnavailableError(
      backend.kind,
      `${language} ${asked.manifest.version} needs docker or gvisor isolation: process isolation runs this machine's own toolchains, and ${has}`,
    );
  }
  const chosen = asked ?? defaultOf(here);
  if (!chosen)
    throw new IsolationUnavailableError(
      backend.kind,
      `process isolation runs this machine's own toolchains, and ${has}: use docker or gvisor isolation`,
    );
  return chosen;
}

/** A list of packages needs a runtime that says how to install them, and the runtime's own image to install into. */
function checkPackages(runtime: Runtime, params: z.output<typeof SessionCreateParams>): void {
  const { language } = runtime.manifest;
  if (!runtime.manifest.packages) {
    throw invalidParams(`packages: the ${language} runtime does not say how to install packages (its runtime.json has no "packages")`);
  }
  if (params.dockerImage) {
    throw invalidParams("packages: a session with its own dockerImage takes no packages; install them in that image");
  }
}
