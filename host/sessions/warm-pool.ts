import { randomBytes } from "node:crypto";
import type { Sandbox } from "../isolation/backend";
import type { Logger } from "../log";
import { WORKSPACE_ROOT } from "../../contract/protocol/workspace-path";

/** How many ready sandboxes the host keeps, and for how long. */
export interface WarmPoolSettings {
  /** Spares kept ready per configuration once it has been used; 0 turns the pool off. */
  size: number;
  /** Spares of all configurations together: each holds a container (or a bwrap process) and its memory. */
  maxSpares: number;
  /** A configuration not used for this long has its spares removed and is no longer refilled. */
  idleMs: number;
}

/** One configuration's sandboxes: `key` says everything that shapes them, `create` makes one for a session id. */
export interface SpareRecipe {
  key: string;
  create(sessionId: string): Promise<Sandbox>;
}

/** A ready sandbox, made for the session id it carries (its container's name and label): never used before. */
export interface Spare {
  sessionId: string;
  sandbox: Sandbox;
}

interface Configuration {
  recipe: SpareRecipe;
  ready: Spare[];
  making: number;
  lastUsed: number;
}

export const newSessionId = () => randomBytes(6).toString("hex");

/**
 * Ready sandboxes per configuration, so that session.create skips the container's create and start. A spare is
 * made only after its configuration was used, is handed out once (a session's sandbox is never returned here),
 * is checked to answer with an empty /workspace before it is handed out, and is removed when its configuration
 * falls idle, when the pool is full of others, or when the host shuts down.
 */
export class WarmPool {
  private readonly configurations = new Map<string, Configuration>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly settings: WarmPoolSettings,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly makeId: () => string = newSessionId,
  ) {}

  /** A ready spare of this configuration, or undefined. Dead or used-looking spares are dropped on the way. */
  async take(key: string): Promise<Spare | undefined> {
    const configuration = this.configurations.get(key);
    while (configuration?.ready.length) {
      const spare = configuration.ready.shift()!;
      if (await answersEmpty(spare.sandbox)) return spare;
      this.log.warn(`dropped a spare sandbox that no longer answers (${spare.sandbox.id.slice(0, 12)})`);
      void spare.sandbox.close().catch(() => undefined);
    }
    return undefined;
  }

  /** Marks the configuration as used now and makes spares in the background until it has `size` of them. */
  keepWarm(recipe: SpareRecipe): void {
    if (this.closed || this.settings.size <= 0) return;
    let configuration = this.configurations.get(recipe.key);
    if (!configuration) {
      configuration = { recipe, ready: [], making: 0, lastUsed: 0 };
      this.configurations.set(recipe.key, configuration);
    }
    configuration.recipe = recipe;
    configuration.lastUsed = this.now();
    while (configuration.ready.length + configuration.making < this.settings.size && this.makeRoom(configuration)) {
      this.make(configuration);
    }
  }

  /** Removes the spares of configurations not used within the idle time. */
  sweep(): void {
    const cutoff = this.now() - this.settings.idleMs;
    for (const [key, configuration] of this.configurations) {
      if (configuration.lastUsed > cutoff) continue;
      this.configurations.delete(key);
      this.discard(configuration.ready.splice(0), "its configuration was not used for a while");
    }
  }

  /** Ready spares, all configurations together. */
  get size(): number {
    let count = 0;
    for (const configuration of this.configurations.values()) count += configuration.ready.length;
    return count;
  }

  /** Settles once no spare is being made: a signal for tests and the bench, never needed to serve a session. */
  async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops making spares and removes every one, including those still being made. */
  async close(): Promise<void> {
    this.closed = true;
    const spares = [...this.configurations.values()].flatMap((configuration) => configuration.ready.splice(0));
    this.configurations.clear();
    await Promise.all(spares.map((spare) => spare.sandbox.close().catch(() => undefined)));
    await this.settled();
  }

  /** Whether one more spare fits, evicting the spares of the least recently used other configurations if needed. */
  private makeRoom(wanting: Configuration): boolean {
    const held = () => [...this.configurations.values()].reduce((sum, c) => sum + c.ready.length + c.making, 0);
    const others = [...this.configurations.values()]
      .filter((configuration) => configuration !== wanting && configuration.ready.length)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    while (held() >= this.settings.maxSpares) {
      const oldest = others.find((configuration) => configuration.ready.length);
      if (!oldest) return false;
      this.discard(oldest.ready.splice(0, 1), "the pool was full of more recent configurations");
    }
    return true;
  }

  private make(configuration: Configuration): void {
    configuration.making++;
    const sessionId = this.makeId();
    const made = configuration.recipe.create(sessionId).then(
      (sandbox) => {
        configuration.making--;
        const wanted = !this.closed && this.configurations.get(configuration.recipe.key) === configuration;
        if (!wanted) return void sandbox.close().catch(() => undefined);
        const spare = { sessionId, sandbox };
        configuration.ready.push(spare);
        // A spare whose sandbox ends (killed, out of memory) leaves the pool at once.
        void sandbox.ended.then(() => {
          const index = configuration.ready.indexOf(spare);
          if (index >= 0) configuration.ready.splice(index, 1);
        });
      },
      (error: Error) => {
        configuration.making--;
        // Not retried here: the next session.create of this configuration tries again.
        this.log.warn(`could not make a spare sandbox: ${error.message}`);
      },
    );
    this.inFlight.add(made);
    void made.finally(() => this.inFlight.delete(made));
  }

  private discard(spares: Spare[], why: string): void {
    for (const spare of spares) {
      this.log.info(`removing spare sandbox ${spare.sandbox.id.slice(0, 12)}: ${why}`);
      void spare.sandbox.close().catch((error: Error) => this.log.warn(`removing a spare sandbox: ${error.message}`));
    }
  }
}

/** The spare's runner still answers, and its /workspace is as new: nothing was ever written there. */
async function answersEmpty(sandbox: Sandbox): Promise<boolean> {
  try {
    return (await sandbox.list(WORKSPACE_ROOT)).length === 0;
  } catch {
    return false;
  }
}
