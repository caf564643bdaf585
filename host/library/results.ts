import type { Diagnostic, ErrorLocation } from "../../contract/protocol/diagnostics";
import type { HistoryRun } from "../../contract/protocol/history";
import type { CommandStatus, Metrics, Stages } from "../../contract/protocol/results";
import { readRun, RunReading } from "../../contract/protocol/run-reading";
import { CodeBeakerError } from "./errors";
import type { SessionExecuteResult } from "../../contract/protocol/session";

export type { ErrorLocation } from "../../contract/protocol/diagnostics";

/** One frame of an error's stack in the user's code. */
export interface StackFrame extends ErrorLocation {
  message: string;
}

/** A failed run's error in one object, the seed's error_info: what to hand to whoever fixes the code. */
export interface ErrorInfo {
  /** The classified error (ZeroDivisionError, TS2322, …), else the run's status (TimeLimitExceeded, …). */
  type: string;
  /** What the compiler or the program said, else why the run failed. */
  message: string;
  location: ErrorLocation | null;
  /** The error's frames in the user's code, outermost first, ending where it was raised. */
  frames: StackFrame[];
}

/** How one run went: the seed's result, with the host's status, diagnostics and stages beside it. */
export interface RunResult {
  /** The run's id, as the start and output events carried it. */
  id: string;
  success: boolean;
  /** Success, CompilationError, RuntimeError, TimeLimitExceeded, MemoryLimitExceeded, OutputLimitExceeded, … */
  status: CommandStatus;
  /** What the program wrote to stdout, without its final line break. */
  output: string;
  /** What the program (or its compiler) wrote to stderr. */
  error: string;
  /** Why it failed, in one line then stderr ("RuntimeError: the program exited with code 1 …"); null on success. */
  errorMessage: string | null;
  exitCode: number | null;
  /** The program's own wall time (its run stage, without the compile), in milliseconds. */
  durationMs: number;
  /** Peak resident memory of the program's largest process. */
  memoryUsedMb: number | null;
  /** CPU time over wall time, in percent: above 100 when it used more than one core. */
  cpuPercent: number | null;
  /** The classified error: ZeroDivisionError, TS2322, E0308, … */
  errorType: string | null;
  errorLocation: ErrorLocation | null;
  /** The seed's error_info: type, message, location and frames of the error; null on success. */
  errorInfo: ErrorInfo | null;
  /**
   * The full trace, as the failed stage printed it (the program's traceback, the compiler's errors); null when
   * it printed none. (The frames, which this field held before, are `stackFrames`.)
   */
  stackTrace: string | null;
  /** The error's frames in the user's code, outermost first, ending where it was raised. */
  stackFrames: StackFrame[];
  /** Every place the compiler or the program reported, with its message. */
  diagnostics: Diagnostic[];
  /** The version this run recorded in the beaker's history ("v3"), and of which file. */
  version: string | null;
  file: string | null;
  /** Each stage (compile, run) on its own: status, exit code, signal, output, timings. */
  stages: Stages | null;
  metrics: Metrics | null;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

export function toRunResult(id: string, answer: SessionExecuteResult, recorded: HistoryRun | undefined): RunResult {
  const reading = readRun(answer);
  const { firstError: error, location } = reading;
  const frames = error && location ? [...error.related, { ...location, message: error.message }] : [];
  const metrics = answer.metrics;
  return {
    id,
    success: answer.success,
    status: answer.status,
    output: reading.output,
    error: answer.stderr,
    errorMessage: answer.error,
    exitCode: answer.exitCode,
    durationMs: metrics ? round1(metrics.wallMs) : answer.durationMs,
    memoryUsedMb: metrics ? round1(metrics.peakMemoryBytes / (1024 * 1024)) : null,
    cpuPercent: metrics && metrics.wallMs > 0 ? round1((100 * metrics.cpuMs) / metrics.wallMs) : null,
    errorType: answer.errorType,
    errorLocation: location,
    errorInfo: answer.success
      ? null
      : { type: answer.errorType ?? answer.status, message: error?.message ?? reading.headline ?? answer.status, location, frames },
    stackTrace: answer.success ? null : traceText(reading),
    stackFrames: frames,
    diagnostics: answer.diagnostics,
    version: recorded ? versionName(recorded.version) : null,
    file: recorded?.path ?? null,
    stages: answer.stages,
    metrics,
  };
}

/** What the failed stage printed about its failure: its stderr, or its stdout for a compiler that reports there. */
function traceText({ stage }: RunReading): string | null {
  if (!stage) return null;
  const text = (stage.stderr.trim() ? stage.stderr : stage.status === "CompilationError" ? stage.stdout : "").trimEnd();
  return text || null;
}

/** One run in a beaker's history, as the seed lists them: `${version} - ${status} - ${durationMs}ms`. */
export interface HistoryEntry {
  version: string;
  file: string;
  status: CommandStatus;
  success: boolean;
  durationMs: number | null;
  memoryUsedMb: number | null;
  /** When it ran (ISO 8601). */
  at: string;
  errorType: string | null;
  errorMessage: string | null;
  errorLocation: ErrorLocation | null;
  /** The run's id in the history. */
  id: string;
}

export function toHistoryEntry(run: HistoryRun): HistoryEntry {
  return {
    version: versionName(run.version),
    file: run.path,
    status: run.status,
    success: run.status === "Success",
    durationMs: run.metrics ? round1(run.metrics.wallMs) : null,
    memoryUsedMb: run.metrics ? round1(run.metrics.peakMemoryBytes / (1024 * 1024)) : null,
    at: run.at,
    errorType: run.errorType,
    errorMessage: run.error,
    errorLocation: run.location,
    id: run.id,
  };
}

export const versionName = (version: number) => `v${version}`;

/** "v3", "3" or 3 as the version number 3. */
export function versionNumber(version: string | number): number {
  const match = /^v?(\d+)$/i.exec(String(version).trim());
  if (!match || Number(match[1]) < 1) {
    throw new CodeBeakerError("INVALID_OPTION", `"${version}" is not a version: versions are v1, v2, …`, {
      data: { option: "version", value: version },
    });
  }
  return Number(match[1]);
}
