import { parseDiagnostics, SourceFiles } from "../diagnostics";
import type { RunHandle, RunObserver, RunOutcome, RunRequest } from "../isolation/backend";
import { Diagnostic, firstError } from "../../contract/protocol/diagnostics";
import type { Stages, StageResult } from "../../contract/protocol/results";
import type { SessionExecuteResult } from "../../contract/protocol/session";
import { describeFailure, metricsOf, StageContext, StageKind, toStage } from "./outcome";
import type { Session } from "../sessions/session";
import { warmDefinitions } from "../sessions/warm-parts";

/** How a client follows a run as it happens: its output as it comes, each stage's handle, the program's stdin. */
export interface RunOptions {
  observer?: RunObserver;
  /** Called as each stage starts: a client can stop it (kill) and, for an interactive run, feed its stdin. */
  onStage?(kind: StageKind, handle: RunHandle): void;
  /**
   * The program's stdin stays open for the client to feed through the run stage's handle; otherwise the
   * command's `stdin` (or nothing) is sent and stdin is closed.
   */
  interactive?: boolean;
  /** run_file's file as a caller read it before the run (the history does): not read back for diagnostics. */
  fileContent?: Buffer;
}

export interface StageRun {
  kind: StageKind;
  stage: StageResult;
  outcome: RunOutcome;
  context: StageContext;
}

/**
 * `warm` asks for the warm part that serves the runtime's own command line (docs/WARM.md): the launcher for a run of
 * the program, the compiler for its compile. The session decides whether one does (see SessionWarmParts).
 */
export type StageRequest = Omit<RunRequest, "outputLimitBytes" | "stdin"> & { stdin?: string };

/** How long past a run's time limit the runner may take to report before the host gives up on the sandbox. */
export const RUNNER_GRACE_MS = 10_000;

export async function runStage(session: Session, kind: StageKind, request: StageRequest, options: RunOptions): Promise<StageRun> {
  const { limits } = session;
  const interactive = kind === "run" && options.interactive === true && request.stdin === undefined;
  const warm =
    request.warm && (await session.warm.forStage(request.warm, warmDefinitions(session.runtime, session.config, session.sandbox)));
  const handle = session.sandbox.run(
    { ...request, warm: warm || undefined, outputLimitBytes: limits.outputBytes, stdin: interactive ? undefined : (request.stdin ?? "") },
    options.observer,
  );
  options.onStage?.(kind, handle);
  const outcome = await withWatchdog(session, handle.outcome, request.timeoutMs);
  const context: StageContext = {
    timeoutMs: request.timeoutMs,
    memoryMb: limits.memoryMb,
    outputBytes: limits.outputBytes,
    program: request.argv[0] ?? "",
    cwd: request.cwd,
  };
  return { kind, stage: toStage(outcome, kind, context), outcome, context };
}

/**
 * The runner enforces the time limit; this is the host's guard in case the runner itself stops answering.
 * Then the sandbox cannot be trusted any more: it is closed, and the session ends with the reason.
 */
async function withWatchdog(session: Session, outcome: Promise<RunOutcome>, timeoutMs: number): Promise<RunOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      session.closedReason ??= `its runner did not report within ${RUNNER_GRACE_MS / 1000} s after the time limit, so the sandbox was closed`;
      // Answered once the sandbox is gone, not while its removal is still under way: nothing outlives the answer.
      // The close ends the outcome with SandboxLostError.
      void session.sandbox.close().then(
        () => outcome.catch(reject),
        (error: unknown) => reject(error),
      );
    }, timeoutMs + RUNNER_GRACE_MS);
  });
  try {
    return await Promise.race([outcome, watchdog]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What the runtime's error parser finds in the stages: the errors of the stage that failed, and the warnings of
 * a compile that succeeded. `sources` (the code, by path under /workspace) lets parsers place columns exactly.
 */
export function diagnose(session: Session, stages: StageRun[], sources: SourceFiles): Diagnostic[] {
  const parser = session.runtime.manifest.errorParser;
  return stages.flatMap(({ kind, stage, context }) => {
    const failed = stage.status !== "Success";
    if (!failed && kind === "run") return [];
    const output = { stage: kind, cwd: context.cwd, stdout: stage.stdout, stderr: stage.stderr };
    const found = parseDiagnostics(parser, output, sources);
    return failed ? found : found.filter((diagnostic) => diagnostic.severity !== "error");
  });
}

/** The answer of a command that ran programs: the last stage speaks for the command, every stage is reported. */
export function envelope(result: unknown, runs: StageRun[], startedAt: number, diagnostics: Diagnostic[]): SessionExecuteResult {
  const last = runs[runs.length - 1]!;
  const { stage } = last;
  const success = stage.status === "Success";
  const stages: Stages = Object.fromEntries(runs.map((run) => [run.kind, run.stage]));
  return {
    success,
    result,
    error: success ? null : describeFailure(stage, last.outcome, last.kind, last.context),
    durationMs: Date.now() - startedAt,
    status: stage.status,
    errorCode: null,
    exitCode: stage.exitCode,
    stdout: stage.stdout,
    stderr: stage.stderr,
    metrics: metricsOf(stage),
    stages,
    diagnostics,
    errorType: firstError(diagnostics)?.code ?? null,
  };
}
