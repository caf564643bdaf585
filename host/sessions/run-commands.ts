import { posix } from "node:path";
import type { RunHandle, RunObserver, RunOutcome, RunRequest } from "../isolation/backend";
import type { CommandOf } from "../protocol/commands";
import type { ExecuteShellResult } from "../protocol/command-results";
import { parseDiagnostics, SourceFiles } from "../diagnostics";
import type { Diagnostic } from "../protocol/diagnostics";
import type { Stages, StageResult } from "../protocol/results";
import type { SessionExecuteResult } from "../protocol/session";
import { WORKSPACE_ROOT } from "../protocol/workspace-path";
import { BUILD_DIR, expandCommand, permissionFlags } from "../runtimes/command-line";
import type { RuntimeManifest } from "../runtimes/manifest";
import { describeFailure, metricsOf, StageContext, StageKind, toStage } from "./outcome";
import type { Session } from "./session";

/** How a client follows a run as it happens: output as it comes, and the program's stdin. */
export interface RunOptions {
  observer?: RunObserver;
  /**
   * Called when the program (not its compiler) starts. A client that passes this feeds stdin itself through
   * the handle; otherwise the command's `stdin` (or nothing) is sent and stdin is closed.
   */
  onProgramStarted?(handle: RunHandle): void;
}

interface StageRun {
  kind: StageKind;
  stage: StageResult;
  outcome: RunOutcome;
  context: StageContext;
}

export async function executeShell(
  session: Session,
  command: CommandOf<"execute_shell">,
  options: RunOptions,
  startedAt: number,
): Promise<SessionExecuteResult> {
  const run = await runStage(session, "run", {
    argv: [command.commandName, ...command.args],
    cwd: command.workingDirectory,
    env: command.env,
    timeoutMs: command.timeoutMs ?? session.limits.timeoutMs,
    stdin: command.stdin,
  }, options);
  const result: ExecuteShellResult = {
    exitCode: run.stage.exitCode,
    stdout: run.stage.stdout,
    stderr: run.stage.stderr,
    durationMs: Math.round(run.stage.wallMs),
  };
  return envelope(result, [run], startedAt, diagnose(session, [run], {}));
}

export async function executeCode(
  session: Session,
  command: CommandOf<"execute_code">,
  options: RunOptions,
  startedAt: number,
): Promise<SessionExecuteResult> {
  const { manifest } = session.runtime;
  const source = { path: posix.join(WORKSPACE_ROOT, command.fileName ?? entryFileName(manifest, command.code)) };
  await session.sandbox.writeFile(source.path, Buffer.from(command.code, "utf8"), "create");
  const sources = { [posix.relative(WORKSPACE_ROOT, source.path)]: command.code };

  let compile: StageRun | undefined;
  if (manifest.compile) {
    compile = await runStage(session, "compile", {
      argv: expandCommand(manifest.compile, source),
      cwd: posix.dirname(source.path),
      timeoutMs: session.limits.compileTimeoutMs,
      makeDirectories: [BUILD_DIR],
      stdin: "",
    }, { observer: options.observer });
    if (compile.stage.status !== "Success") {
      return envelope(null, [compile], startedAt, diagnose(session, [compile], sources));
    }
  }
  const granted = permissionFlags(manifest.permissions, session.config.permissions);
  const run = await runStage(session, "run", {
    argv: expandCommand(manifest.run, source, granted),
    cwd: posix.dirname(source.path),
    timeoutMs: command.timeoutMs ?? session.limits.timeoutMs,
    stdin: command.stdin,
  }, options);
  // The guide's execute_code answers with the program's output, as it would read on a terminal.
  const output = run.stage.stdout.replace(/\r?\n$/, "");
  const stages = compile ? [compile, run] : [run];
  return envelope(output, stages, startedAt, diagnose(session, stages, sources));
}

/** The file execute_code writes: named from the code where the language needs it (Java's public class). */
export function entryFileName(manifest: RuntimeManifest, code: string): string {
  const extension = posix.extname(manifest.entryFile);
  for (const pattern of manifest.entryNameFromCode) {
    const name = new RegExp(pattern).exec(code)?.[1];
    if (name) return `${name}${extension}`;
  }
  return manifest.entryFile;
}

type StageRequest = Omit<RunRequest, "outputLimitBytes" | "stdin"> & { stdin?: string };

async function runStage(session: Session, kind: StageKind, request: StageRequest, options: RunOptions): Promise<StageRun> {
  const { limits } = session;
  const interactive = kind === "run" && options.onProgramStarted !== undefined && request.stdin === undefined;
  const handle = session.sandbox.run(
    { ...request, outputLimitBytes: limits.outputBytes, stdin: interactive ? undefined : (request.stdin ?? "") },
    options.observer,
  );
  if (interactive) options.onProgramStarted?.(handle);
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
 * What the runtime's error parser finds in the stages: the errors of the stage that failed, and the warnings of
 * a compile that succeeded. `sources` (the code of execute_code) lets parsers place columns exactly.
 */
function diagnose(session: Session, stages: StageRun[], sources: SourceFiles): Diagnostic[] {
  const parser = session.runtime.manifest.errorParser;
  return stages.flatMap(({ kind, stage }) => {
    const failed = stage.status !== "Success";
    if (!failed && kind === "run") return [];
    const found = parseDiagnostics(parser, { stage: kind, stdout: stage.stdout, stderr: stage.stderr }, sources);
    return failed ? found : found.filter((diagnostic) => diagnostic.severity !== "error");
  });
}

/** How long past a run's time limit the runner may take to report before the host gives up on the sandbox. */
export const RUNNER_GRACE_MS = 10_000;

/**
 * The runner enforces the time limit; this is the host's guard in case the runner itself stops answering.
 * Then the sandbox cannot be trusted any more: it is closed, and the session ends with the reason.
 */
async function withWatchdog(session: Session, outcome: Promise<RunOutcome>, timeoutMs: number): Promise<RunOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      session.closedReason ??= `its runner did not report within ${RUNNER_GRACE_MS / 1000} s after the time limit, so the sandbox was closed`;
      void session.sandbox.close();
      outcome.catch(reject); // the close ends the outcome with SandboxLostError
    }, timeoutMs + RUNNER_GRACE_MS);
  });
  try {
    return await Promise.race([outcome, watchdog]);
  } finally {
    clearTimeout(timer);
  }
}

/** The answer of a command that ran programs: the last stage speaks for the command, every stage is reported. */
function envelope(result: unknown, runs: StageRun[], startedAt: number, diagnostics: Diagnostic[]): SessionExecuteResult {
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
    errorType: diagnostics.find((diagnostic) => diagnostic.severity === "error")?.code ?? null,
  };
}
