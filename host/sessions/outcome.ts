import { constants } from "node:os";
import type { FilesystemFill, RunOutcome } from "../isolation/backend";
import type { Metrics, RunStatus, StageResult } from "../protocol/results";

export type StageKind = "compile" | "run";

/** What a stage ran under: to say in a message which limit was hit, or what could not start. */
export interface StageLimits {
  timeoutMs: number;
  memoryMb: number;
  outputBytes: number;
}

export interface StageContext extends StageLimits {
  program: string;
  cwd: string;
}

/** Number → name; where two names share a number (SIGABRT and SIGIOT), the first Node lists is the usual one. */
const signalNames = new Map<number, string>();
for (const [name, number] of Object.entries(constants.signals)) if (!signalNames.has(number)) signalNames.set(number, name);

export function signalName(signal: number | null): string | null {
  return signal === null ? null : (signalNames.get(signal) ?? `signal ${signal}`);
}

/**
 * /tmp and /workspace live in the sandbox's memory: a program killed for memory while one of them is full, and
 * files there hold at least half of the memory, was stopped by full disks, not by its own appetite. Then no
 * program can run until files are deleted, and the answer says which paths are full (a disk error), rather than
 * MemoryLimitExceeded. The full paths, or none.
 */
export function fullFilesystems(outcome: RunOutcome, memoryMb: number): FilesystemFill[] {
  const fills = outcome.oomKilled ? (outcome.filesystems ?? []) : [];
  const held = fills.reduce((sum, fill) => sum + fill.usedBytes, 0);
  if (held < (memoryMb * MiB) / 2) return [];
  return fills.filter((fill) => fill.sizeBytes - fill.usedBytes < Math.max(MiB, fill.sizeBytes / 50));
}

const MiB = 1024 * 1024;

/** The status of a stage, from the most specific cause to the least. */
export function classify(outcome: RunOutcome, kind: StageKind, memoryMb: number): RunStatus {
  // SIGXCPU: the CPU-time limit, a second past the wall-clock one, ended it first.
  if (outcome.timedOut || outcome.signal === constants.signals.SIGXCPU) return "TimeLimitExceeded";
  if (outcome.outputExceeded) return "OutputLimitExceeded";
  if (outcome.killed) return "Cancelled";
  if (outcome.oomKilled && !fullFilesystems(outcome, memoryMb).length) return "MemoryLimitExceeded";
  if (outcome.spawnError || outcome.signal !== null || outcome.exitCode !== 0) {
    return kind === "compile" ? "CompilationError" : "RuntimeError";
  }
  return "Success";
}

const round = (ms: number) => Math.round(ms * 10) / 10;

export function toStage(outcome: RunOutcome, kind: StageKind, limits: Pick<StageLimits, "memoryMb">): StageResult {
  return {
    status: classify(outcome, kind, limits.memoryMb),
    exitCode: outcome.exitCode,
    signal: signalName(outcome.signal),
    stdout: outcome.stdout.toString("utf8"),
    stderr: outcome.stderr.toString("utf8"),
    // The answer holds the head of each stream (see HELD_OUTPUT_BYTES): truncated when the program wrote more.
    stdoutTruncated: outcome.stdoutBytes > outcome.stdout.length,
    stderrTruncated: outcome.stderrBytes > outcome.stderr.length,
    wallMs: round(outcome.wallMs),
    cpuMs: round(outcome.cpuMs),
    peakMemoryBytes: outcome.peakMemoryBytes,
    warm: outcome.warm,
  };
}

export function metricsOf(stage: StageResult): Metrics {
  return { wallMs: stage.wallMs, cpuMs: stage.cpuMs, peakMemoryBytes: stage.peakMemoryBytes };
}

const DETAIL_LIMIT = 8 * 1024;

/** The guide's `error` string for a stage that did not succeed: the cause, then what the program said. */
export function describeFailure(stage: StageResult, outcome: RunOutcome, kind: StageKind, limits: StageContext): string {
  const what = kind === "compile" ? "the compiler" : "the program";
  let cause: string;
  switch (stage.status) {
    case "TimeLimitExceeded":
      cause = `${what} ran longer than ${limits.timeoutMs} ms and was stopped`;
      break;
    case "OutputLimitExceeded": {
      const stream = outcome.stdoutBytes > limits.outputBytes ? "stdout" : "stderr";
      cause = `${what} wrote more than ${limits.outputBytes} bytes to ${stream}; it was stopped and the first ${outcome[stream].length} bytes are kept`;
      break;
    }
    case "Cancelled":
      cause = `${what} was stopped on request`;
      break;
    case "MemoryLimitExceeded":
      cause = `${what} ran out of its ${limits.memoryMb} MB of memory and was killed`;
      break;
    default:
      if (fullFilesystems(outcome, limits.memoryMb).length) cause = describeFullFilesystems(outcome, limits.memoryMb);
      else if (outcome.spawnError) cause = describeSpawnError(outcome.spawnError, limits);
      else if (stage.signal) cause = `${what} was killed by ${stage.signal}`;
      else if (kind === "compile") cause = `compilation failed (exit code ${stage.exitCode})`;
      else cause = `${what} exited with code ${stage.exitCode}`;
  }
  // Compilers write diagnostics to stdout (tsc) or stderr (the rest); programs to stderr.
  const said = (kind === "compile" ? `${stage.stdout}${stage.stderr}` : stage.stderr).trim();
  const detail = said.length > DETAIL_LIMIT ? `…${said.slice(-DETAIL_LIMIT)}` : said;
  return detail ? `${stage.status}: ${cause}\n${detail}` : `${stage.status}: ${cause}`;
}

function describeFullFilesystems(outcome: RunOutcome, memoryMb: number): string {
  const full = fullFilesystems(outcome, memoryMb).map((fill) => fill.path);
  const held = (outcome.filesystems ?? []).map((fill) => `${fill.path} holds ${Math.round(fill.usedBytes / MiB)} MB`).join(", ");
  return (
    `no space left on ${full.join(" and ")}: files there are kept in the sandbox's ${memoryMb} MB of memory (${held}), ` +
    "so none was left to run the program; delete some (delete_file) and run again"
  );
}

function describeSpawnError(error: NonNullable<RunOutcome["spawnError"]>, context: StageContext): string {
  switch (error.step) {
    case "chdir":
      return `cannot enter the working directory ${context.cwd}: ${error.message}`;
    case "mkdir":
      return `cannot create the output directory: ${error.message}`;
    case "env":
      return `cannot set the environment: ${error.message}`;
    default:
      return error.errno === 2 // ENOENT
        ? `"${context.program}" was not found in the sandbox (${error.message})`
        : `cannot start "${context.program}": ${error.message}`;
  }
}
