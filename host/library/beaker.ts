import { randomUUID } from "node:crypto";
import { ErrorCodes, RpcError } from "../protocol/errors";
import type { HistoryRollbackResult, HistoryRun } from "../protocol/history";
import {
  HistoryChanged,
  HistoryList,
  HistoryRestoreLastSuccess,
  HistoryRollback,
  RunOutput,
  SessionClose,
  SessionCreate,
  SessionExecute,
  SessionRepeat,
} from "../protocol/methods";
import type { RepeatStats as HostRepeatStats } from "../protocol/repeat";
import { milliseconds, RuntimeConfig, sessionParams, versionMatches } from "./config";
import { Listeners } from "./events";
import { Lab } from "./lab";
import { HistoryEntry, RunResult, toHistoryEntry, toRunResult, versionNumber } from "./results";

export interface BeakerOptions extends RuntimeConfig {
  /** python, javascript, typescript, csharp, go, java, rust, deno, an alias (py, js, …) or a registered language. */
  language: string;
  /** The seed's `Beaker(language, config=...)`: the same fields, given apart. */
  config?: RuntimeConfig;
  /** The lab (host) to run on; by default one shared by the process. */
  lab?: Lab;
  /** The history the runs go to; a lab with a historyDir keeps it for later beakers of the same name. */
  workspace?: string;
}

export interface RunOptions {
  /** Text for the program's stdin (the seed's input_data). */
  stdin?: string;
  /** This run's time limit in seconds, instead of the beaker's. */
  timeout?: number;
  /** The file the code is written to under /workspace (main.py, …); by default the beaker's current file. */
  file?: string;
}

/** What a run emits: `start` before it, `output` as the program writes, `complete` with the result. */
export interface BeakerEvents {
  start: { id: string; language: string; code: string };
  output: { id: string; stream: "stdout" | "stderr"; text: string };
  complete: RunResult;
}

/** The seed's repeat statistics, with the host's full set beside them. */
export type RepeatStats = HostRepeatStats;

/** A piece of code ready to be run many times (the seed's Experiment). */
export interface Experiment {
  readonly code: string;
  repeat(times?: number): Promise<RepeatStats>;
}

/** A file's code at a version, as rollbackTo and restoreLastSuccess bring it back. */
export interface RestoredVersion {
  version: string;
  file: string;
  code: string;
}

/**
 * The seed's Beaker: a sandbox for one language with its limits, in which code runs again and again. Every run
 * is a version of its file in the beaker's history. The sandbox starts on the first run; close() removes it.
 */
export class Beaker {
  readonly language: string;
  readonly workspace: string;
  private readonly lab: Lab;
  private readonly config: RuntimeConfig;
  private readonly events = new Listeners<BeakerEvents>();
  private session: Promise<string> | undefined;
  /** The file runs go to and the code rollbacks bring back: what `run()` with no code runs. */
  private current: { file?: string; code?: string } = {};

  constructor(options: BeakerOptions) {
    const { language, config, lab, workspace, ...flat } = options;
    if (!language) throw new TypeError("Beaker needs a language, like { language: \"python\" }");
    this.language = language;
    this.config = { ...config, ...flat };
    this.lab = lab ?? Lab.default;
    this.workspace = workspace ?? `beaker-${randomUUID()}`;
  }

  on<E extends keyof BeakerEvents>(event: E, listener: (payload: BeakerEvents[E]) => void): this {
    this.events.on(event, listener);
    return this;
  }

  off<E extends keyof BeakerEvents>(event: E, listener: (payload: BeakerEvents[E]) => void): this {
    this.events.off(event, listener);
    return this;
  }

  /**
   * Runs code (compiling it first where the language needs it) and resolves with how it went: a program that
   * fails is a result with success false, not a rejection. Without code, runs the current code again (after
   * rollbackTo, the version brought back).
   */
  async run(code?: string, options: RunOptions = {}): Promise<RunResult> {
    const source = code ?? this.current.code;
    if (source === undefined) throw new TypeError("run() needs code: nothing has run or been restored in this beaker yet");
    const id = randomUUID();
    const file = options.file ?? this.current.file;
    const command = {
      type: "execute_code" as const,
      code: source,
      ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
      ...(options.timeout !== undefined ? { timeoutMs: milliseconds(options.timeout) } : {}),
      ...(file ? { fileName: file } : {}),
    };
    this.events.emit("start", { id, language: this.language, code: source });
    let recorded: HistoryRun | undefined;
    const answer = await this.withSession((sessionId) =>
      this.lab.call(SessionExecute, { sessionId, command, runId: id }, (method, params) => {
        if (method === RunOutput.method) {
          const { stream, text } = params as { stream: "stdout" | "stderr"; text: string };
          this.events.emit("output", { id, stream, text });
        } else if (method === HistoryChanged.method) {
          recorded = (params as { run: HistoryRun }).run;
        }
      }),
    );
    const result = toRunResult(id, answer, recorded);
    this.current = { file: recorded?.path ?? file, code: source };
    this.events.emit("complete", result);
    this.events.rethrow();
    return result;
  }

  /** The seed's `prepare(code).repeat(times)`: the same code run many times in this beaker's warm sandbox. */
  prepare(code: string): Experiment {
    return { code, repeat: (times = 20) => this.repeat(code, times) };
  }

  /** Runs code `times` times (default 20) and returns success rate and timing statistics of the program's own wall time. */
  async repeat(code: string, times = 20): Promise<RepeatStats> {
    if (!Number.isInteger(times) || times < 1 || times > 1000) throw new TypeError(`times must be a whole number from 1 to 1000 (got ${times})`);
    return this.withSession((sessionId) =>
      this.lab.call(SessionRepeat, { sessionId, times, command: { type: "execute_code", code } }),
    );
  }

  /** The beaker's runs, oldest first: version, file, status, duration, memory, error. */
  async getHistory(): Promise<HistoryEntry[]> {
    const { runs } = await this.lab.call(HistoryList, { workspace: this.workspace, limit: 10_000 });
    return runs.map(toHistoryEntry).reverse();
  }

  /** Brings the current file back to a version ("v1", or 1): the next `run()` runs it, and /workspace holds it. */
  async rollbackTo(version: string | number, file?: string): Promise<RestoredVersion> {
    const path = this.fileFor(file, "rollbackTo");
    const number = versionNumber(version);
    return this.restored(await this.withSession((sessionId) => this.lab.call(HistoryRollback, { workspace: this.workspace, path, version: number, sessionId })));
  }

  /** Brings the current file back to its last successful run. */
  async restoreLastSuccess(file?: string): Promise<RestoredVersion> {
    const path = this.fileFor(file, "restoreLastSuccess");
    return this.restored(await this.withSession((sessionId) => this.lab.call(HistoryRestoreLastSuccess, { workspace: this.workspace, path, sessionId })));
  }

  /** Ends the beaker's session and removes its sandbox. The beaker can run again: it starts a new one. */
  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    const sessionId = await session?.catch(() => undefined);
    try {
      if (sessionId) await this.lab.call(SessionClose, { sessionId }).catch(ignoreEnded);
    } finally {
      await this.lab.closed(this);
    }
  }

  private fileFor(file: string | undefined, method: string): string {
    const path = file ?? this.current.file;
    if (!path) throw new TypeError(`${method}() needs a file: nothing has run in this beaker yet`);
    return path;
  }

  private restored(answer: HistoryRollbackResult): RestoredVersion {
    const code = answer.encoding === "utf8" ? answer.content : Buffer.from(answer.content, "base64").toString("utf8");
    this.current = { file: answer.path, code };
    return { version: `v${answer.version}`, file: answer.path, code };
  }

  /** Calls with the beaker's session, started on first use and started again if it ended (idle timeout, lifetime). */
  private async withSession<T>(work: (sessionId: string) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const sessionId = await this.sessionId();
      try {
        return await work(sessionId);
      } catch (error) {
        if (attempt > 0 || !isEndedSession(error)) throw error;
        this.session = undefined;
      }
    }
  }

  private sessionId(): Promise<string> {
    if (!this.session) {
      this.lab.opened(this);
      this.session = this.startSession();
      this.session.catch(() => (this.session = undefined)); // a failed start may be retried by the next call
    }
    return this.session;
  }

  private async startSession(): Promise<string> {
    const asked = this.config.version;
    if (asked) {
      const runtime = await this.lab.runtimeVersion(this.language);
      if (runtime && !versionMatches(asked, runtime)) {
        throw new TypeError(`${this.language} ${asked} was asked for, but this runtime is ${this.language} ${runtime}`);
      }
    }
    const created = await this.lab.call(SessionCreate, sessionParams(this.language, this.config, this.workspace));
    return created.sessionId;
  }
}

/** The error a call gets when the session it names is gone: the one case a beaker starts a new one for. */
function isEndedSession(error: unknown): boolean {
  return error instanceof RpcError && error.code === ErrorCodes.InvalidParams && /\bsessionId: (no session|session \S+ has ended)/.test(error.message);
}

function ignoreEnded(error: unknown): void {
  if (!isEndedSession(error)) throw error;
}
