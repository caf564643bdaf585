import type { IsolationKind, Sandbox } from "../isolation/backend";
import type { Limits } from "../limits";
import type { SessionConfig, SessionCreateResult, SessionState, SessionSummary } from "../protocol/session";
import type { Runtime } from "../runtimes/manifest";
import { SessionWarmParts, WarmDefinitions } from "./warm-parts";

/** A session is "Idle" after this long without a command; until then, and while running one, "Active". */
export const IDLE_STATE_AFTER_MS = 60_000;

const minutes = (ms: number) => Math.round((ms / 60_000) * 100) / 100;

/** One sandbox with its runtime, limits and bookkeeping. Commands run one at a time, in order. */
export class Session {
  readonly createdAt = Date.now();
  lastActivity = this.createdAt;
  executionCount = 0;
  running = false;
  closedReason: string | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  /** The warm parts its runner keeps (docs/WARM.md), and which one a stage asks for. */
  readonly warm: SessionWarmParts;

  /** `warmStarted`: the warm parts already started in the sandbox (see startWarmParts). */
  constructor(
    readonly id: string,
    readonly runtime: Runtime,
    readonly config: SessionConfig,
    readonly limits: Limits,
    readonly sandbox: Sandbox,
    readonly isolation: IsolationKind,
    warmStarted: WarmDefinitions = {},
  ) {
    this.warm = new SessionWarmParts(sandbox, warmStarted);
  }

  get language(): string {
    return this.runtime.manifest.language;
  }

  /** The language version this session runs ("3.13"). */
  get version(): string {
    return this.runtime.manifest.version;
  }

  /** Runs `work` after the commands before it: a command sees the files the previous one left. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.tail.then(async () => {
      this.running = true;
      this.lastActivity = Date.now();
      try {
        return await work();
      } finally {
        this.running = false;
        this.executionCount++;
        this.lastActivity = Date.now();
      }
    });
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  state(now = Date.now()): SessionState {
    if (this.closedReason) return "Closed";
    return this.running || now - this.lastActivity < IDLE_STATE_AFTER_MS ? "Active" : "Idle";
  }

  /** Why the session should end now, if it should: its idle timeout or its lifetime ran out. */
  expiry(now = Date.now()): string | undefined {
    if (now - this.createdAt >= this.config.maxLifetimeMinutes * 60_000) {
      return `its maximum lifetime of ${this.config.maxLifetimeMinutes} minutes was reached`;
    }
    if (!this.running && now - this.lastActivity >= this.config.idleTimeoutMinutes * 60_000) {
      return `it was idle for ${this.config.idleTimeoutMinutes} minutes`;
    }
    return undefined;
  }

  createResult(): SessionCreateResult {
    return {
      sessionId: this.id,
      containerId: this.sandbox.id,
      language: this.language,
      version: this.version,
      createdAt: new Date(this.createdAt).toISOString(),
      state: this.state(),
      config: this.config,
      isolation: this.isolation,
      image: this.sandbox.image,
    };
  }

  summary(now = Date.now()): SessionSummary {
    return {
      sessionId: this.id,
      containerId: this.sandbox.id,
      language: this.language,
      version: this.version,
      createdAt: new Date(this.createdAt).toISOString(),
      lastActivity: new Date(this.lastActivity).toISOString(),
      state: this.state(now),
      executionCount: this.executionCount,
      idleMinutes: this.running ? 0 : minutes(now - this.lastActivity),
      lifetimeMinutes: minutes(now - this.createdAt),
      isolation: this.isolation,
      config: this.config,
    };
  }
}
