import { randomUUID } from "node:crypto";
import { posix } from "node:path";
import type { HistoryRollbackResult, HistoryRun } from "../../contract/protocol/history";
import {
  HistoryChanged,
  HistoryList,
  HistoryRestoreLastSuccess,
  HistoryRollback,
  RunOutput,
  SessionExecute,
  SessionJudge,
  SessionRepeat,
} from "../../contract/protocol/methods";
import type { RepeatStats as HostRepeatStats } from "../../contract/protocol/repeat";
import { resolveWorkspacePath, WORKSPACE_ROOT } from "../../contract/protocol/workspace-path";
import { entryFileName } from "../../contract/runtimes/entry-file";
import type { Runtime } from "../../contract/runtimes/manifest";
import { milliseconds, RUNTIME_CONFIG_KEYS, RuntimeConfig, workingDirectory } from "./config";
import { asCodeBeakerError, CodeBeakerError } from "./errors";
import { Listeners } from "./events";
import { JUDGE_OPTION_KEYS, judgeCases, JudgeOptions, JudgeResult, TestCase } from "./judge";
import { Lab, NotificationListener } from "./lab";
import { refuseUnknownOptions } from "./options";
import { HistoryEntry, RunResult, toHistoryEntry, toRunResult, versionNumber } from "./results";
import { RuntimeRegistry } from "./runtime-registry";
import { SandboxSpec, Sandboxes } from "./sandboxes";

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

/**
 * One run's options: the seed's per-run arguments. Any RuntimeConfig field applies to this run only; one that
 * fixes the sandbox (language, memoryLimit, cpuLimit, …) runs it in a sandbox of that kind, kept for later runs
 * like it and closed with the beaker.
 */
export interface RunOptions extends RuntimeConfig {
  /** Run this code in another language than the beaker's. */
  language?: string;
  /** Text for the program's stdin. */
  stdin?: string;
  /** The seed's input_data: the same as stdin. */
  inputData?: string;
  /** The file the code is written to, in the working directory (main.py, …); by default the beaker's current file. */
  file?: string;
}

const BEAKER_OPTION_KEYS = ["language", "config", "lab", "workspace", ...RUNTIME_CONFIG_KEYS];
const RUN_OPTION_KEYS = ["language", "stdin", "inputData", "file", ...RUNTIME_CONFIG_KEYS];

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
  private readonly sandboxes: Sandboxes;
  /** The file runs go to, the code rollbacks bring back and its language: what `run()` with no code runs. */
  private current: { file?: string; code?: string; language?: string } = {};

  constructor(options: BeakerOptions) {
    refuseUnknownOptions("Beaker", options, BEAKER_OPTION_KEYS);
    refuseUnknownOptions("Beaker config", options.config, RUNTIME_CONFIG_KEYS);
    const { language, config, lab, workspace, ...flat } = options;
    if (!language)
      throw new CodeBeakerError("INVALID_OPTION", 'Beaker needs a language, like { language: "python" }', { data: { option: "language" } });
    this.language = language;
    this.config = { ...config, ...flat };
    this.lab = lab ?? Lab.default;
    this.workspace = workspace ?? `beaker-${randomUUID()}`;
    this.sandboxes = new Sandboxes(this.lab, this.workspace, () => this.lab.opened(this));
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
  run(code?: string, options: RunOptions = {}): Promise<RunResult> {
    return asCodeBeakerError(async () => {
      refuseUnknownOptions("run()", options, RUN_OPTION_KEYS);
      const { language: asked, stdin, inputData, file, timeout, workingDir, ...sandboxConfig } = options;
      if (stdin !== undefined && inputData !== undefined && stdin !== inputData) {
        throw new CodeBeakerError("INVALID_OPTION", "run(): give stdin or inputData (the same thing), not both", {
          data: { options: ["stdin", "inputData"] },
        });
      }
      const source = code ?? this.current.code;
      if (source === undefined)
        throw new CodeBeakerError("INVALID_CALL", "run() needs code: nothing has run or been restored in this beaker yet");
      const runtime = this.runtime(asked ?? (code === undefined ? this.current.language : undefined) ?? this.language);
      const language = runtime.manifest.language;
      const continued = this.current.language === language ? this.current.file : undefined;
      const path = runPath({
        workingDir: workingDir ?? this.config.workingDir,
        file,
        continued,
        entry: () => entryFileName(runtime.manifest, source),
      });
      const input = stdin ?? inputData;
      const limits = {
        ...(input !== undefined ? { stdin: input } : {}),
        ...(timeout !== undefined ? { timeoutMs: milliseconds(timeout) } : {}),
      };
      const id = randomUUID();
      this.events.emit("start", { id, language, code: source });
      let recorded: HistoryRun | undefined;
      const hear: NotificationListener = (method, params) => {
        if (method === RunOutput.method) {
          const { stream, text } = params as { stream: "stdout" | "stderr"; text: string };
          this.events.emit("output", { id, stream, text });
        } else if (method === HistoryChanged.method) {
          recorded = (params as { run: HistoryRun }).run;
        }
      };
      const { write, command } = commandsFor(path, source, limits);
      const answer = await this.sandboxes.with(this.sandbox(language, path, sandboxConfig), async (sessionId) => {
        const written = write && (await this.lab.call(SessionExecute, { sessionId, command: write }));
        if (written && !written.success) return written;
        return this.lab.call(SessionExecute, { sessionId, command, runId: id }, hear);
      });
      const result = toRunResult(id, answer, recorded);
      this.current = { file: recorded?.path ?? posix.relative(WORKSPACE_ROOT, path), code: source, language };
      this.events.emit("complete", result);
      this.events.rethrow();
      return result;
    });
  }

  /** The seed's `prepare(code).repeat(times)`: the same code run many times in this beaker's warm sandbox. */
  prepare(code: string): Experiment {
    return { code, repeat: (times = 20) => this.repeat(code, times) };
  }

  /** Runs code `times` times (default 20) and returns success rate and timing statistics of the program's own wall time. */
  repeat(code: string, times = 20): Promise<RepeatStats> {
    return asCodeBeakerError(async () => {
      if (!Number.isInteger(times) || times < 1 || times > 1000) {
        throw new CodeBeakerError("INVALID_OPTION", `times must be a whole number from 1 to 1000 (got ${times})`, {
          data: { option: "times", value: times },
        });
      }
      const runtime = this.runtime(this.language);
      const path = runPath({ workingDir: this.config.workingDir, entry: () => entryFileName(runtime.manifest, code) });
      const { write, command } = commandsFor(path, code, {});
      return this.sandboxes.with(this.sandbox(runtime.manifest.language, path, {}), async (sessionId) => {
        if (write) await this.lab.call(SessionExecute, { sessionId, command: write });
        return this.lab.call(SessionRepeat, { sessionId, times, command });
      });
    });
  }

  /**
   * Runs code against test cases (the seed's `for test in test_cases: run(code, input_data=test)`), compiled
   * once: a verdict per case (Accepted, WrongAnswer with a diff, TimeLimitExceeded, RuntimeError, …) and how many
   * passed. Each case is a run in the beaker's history.
   */
  judge(code: string, cases: readonly TestCase[], options: JudgeOptions = {}): Promise<JudgeResult> {
    return asCodeBeakerError(async () => {
      refuseUnknownOptions("judge()", options, JUDGE_OPTION_KEYS);
      const converted = judgeCases(cases);
      const runtime = this.runtime(this.language);
      const path = runPath({ workingDir: this.config.workingDir, file: options.file, entry: () => entryFileName(runtime.manifest, code) });
      const { write } = commandsFor(path, code, {});
      const source = write ? { path } : { code, fileName: posix.basename(path) };
      const result = await this.sandboxes.with(this.sandbox(runtime.manifest.language, path, {}), async (sessionId) => {
        if (write) await this.lab.call(SessionExecute, { sessionId, command: write });
        return this.lab.call(SessionJudge, {
          sessionId,
          ...source,
          cases: converted,
          ...(options.compare !== undefined ? { compare: options.compare } : {}),
        });
      });
      this.current = { file: posix.relative(WORKSPACE_ROOT, path), code, language: runtime.manifest.language };
      return result;
    });
  }

  /** The beaker's runs, oldest first: version, file, status, duration, memory, error. */
  getHistory(): Promise<HistoryEntry[]> {
    return asCodeBeakerError(async () => {
      const { runs } = await this.lab.call(HistoryList, { workspace: this.workspace, limit: 10_000 });
      return runs.map(toHistoryEntry).reverse();
    });
  }

  /** Brings the current file back to a version ("v1", or 1): the next `run()` runs it, and /workspace holds it. */
  rollbackTo(version: string | number, file?: string): Promise<RestoredVersion> {
    return asCodeBeakerError(async () => {
      const number = versionNumber(version);
      return this.restore(file, "rollbackTo", (sessionId, path) =>
        this.lab.call(HistoryRollback, { workspace: this.workspace, path, version: number, sessionId }),
      );
    });
  }

  /** Brings the current file back to its last successful run. */
  restoreLastSuccess(file?: string): Promise<RestoredVersion> {
    return asCodeBeakerError(() =>
      this.restore(file, "restoreLastSuccess", (sessionId, path) =>
        this.lab.call(HistoryRestoreLastSuccess, { workspace: this.workspace, path, sessionId }),
      ),
    );
  }

  /** Ends the beaker's sessions and removes their sandboxes. The beaker can run again: it starts a new one. */
  close(): Promise<void> {
    return asCodeBeakerError(async () => {
      try {
        await this.sandboxes.closeAll();
      } finally {
        await this.lab.closed(this);
      }
    });
  }

  /** The runtime a language name or alias names, refused when none does. */
  private runtime(name: string): Runtime {
    const runtime = RuntimeRegistry.find(name);
    if (!runtime) {
      throw new CodeBeakerError("UNKNOWN_LANGUAGE", `unknown language "${name}" (known: ${RuntimeRegistry.languages().join(", ")})`, {
        data: { language: name },
      });
    }
    return runtime;
  }

  /**
   * The sandbox a run of this file in this language goes to: the beaker's configuration, with the run's own
   * on top. Another language takes neither the beaker's version nor its packages (pip's are not npm's).
   */
  private sandbox(language: string, path: string, runConfig: RuntimeConfig): SandboxSpec {
    const { version, packages, timeout, ...shared } = this.config;
    const own = language === RuntimeRegistry.find(this.language)?.manifest.language;
    const config = { ...shared, ...(timeout !== undefined ? { timeout } : {}), ...(own ? { version, packages } : {}), ...runConfig };
    const commands = RuntimeRegistry.commandsFor(language, path);
    return { language, config, ...(commands ? { commands } : {}) };
  }

  private async restore(
    file: string | undefined,
    method: string,
    call: (sessionId: string, path: string) => Promise<HistoryRollbackResult>,
  ): Promise<RestoredVersion> {
    const path = file ?? this.current.file;
    if (!path) throw new CodeBeakerError("INVALID_CALL", `${method}() needs a file: nothing has run in this beaker yet`);
    const language = this.runtime(this.current.language ?? this.language).manifest.language;
    const answer = await this.sandboxes.with(this.sandbox(language, posix.join(WORKSPACE_ROOT, path), {}), (sessionId) =>
      call(sessionId, path),
    );
    const code = answer.encoding === "utf8" ? answer.content : Buffer.from(answer.content, "base64").toString("utf8");
    this.current = { file: answer.path, code, language };
    return { version: `v${answer.version}`, file: answer.path, code };
  }
}

/**
 * The commands that run code written to this path: execute_code in /workspace, where it writes the file
 * itself in the same request; elsewhere, the file written first, then run where it is.
 */
function commandsFor(path: string, code: string, limits: { stdin?: string; timeoutMs?: number }) {
  if (posix.dirname(path) === WORKSPACE_ROOT) {
    return { write: undefined, command: { type: "execute_code" as const, code, fileName: posix.basename(path), ...limits } };
  }
  return { write: { type: "write_file" as const, path, content: code }, command: { type: "run_file" as const, path, ...limits } };
}

/**
 * Where a run's code goes, as an absolute path under /workspace: the file asked for (else the current one,
 * else the runtime's entry file) in the working directory asked for (else the current file's, else /workspace).
 */
export function runPath(target: { workingDir?: string; file?: string; continued?: string; entry: () => string }): string {
  const continued = target.continued === undefined ? undefined : posix.join(WORKSPACE_ROOT, target.continued);
  const dir =
    target.workingDir !== undefined
      ? workingDirectory(target.workingDir)
      : continued && target.file === undefined
        ? posix.dirname(continued)
        : WORKSPACE_ROOT;
  const name = target.file ?? (continued ? posix.basename(continued) : target.entry());
  const resolved = resolveWorkspacePath(posix.join(dir, name));
  if (!resolved.ok || resolved.path === dir || name.endsWith("/")) {
    throw new CodeBeakerError("INVALID_OPTION", `file "${name}" ${resolved.ok ? "is not a file name" : resolved.reason}`, {
      data: { option: "file", value: name },
    });
  }
  return resolved.path;
}
