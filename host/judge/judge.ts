import { posix } from "node:path";
import { SandboxFileError, SandboxLostError } from "../isolation/backend";
import { invalidParams } from "../../contract/protocol/errors";
import type { Comparison, JudgeCase, SessionJudgeResult, Verdict, VerdictStatus } from "../../contract/protocol/judge";
import type { SessionExecuteResult } from "../../contract/protocol/session";
import { WORKSPACE_ROOT } from "../../contract/protocol/workspace-path";
import { entryFileName } from "../../contract/runtimes/entry-file";
import { sessionEnded } from "../commands/execute";
import { compileStage, programOf, RunOptions } from "../runs/run-commands";
import type { Session } from "../sessions/session";
import { diagnose, envelope, runStage, StageRun } from "../runs/stages";
import { describeDifference, outputMatches } from "./compare";

/** What session.judge runs: a source (given as code, or a file in /workspace) and its cases. */
export interface JudgeRequest {
  code?: string;
  fileName?: string;
  path?: string;
  cases: JudgeCase[];
  compare: Comparison;
}

/** The file a judge ran, as its history records it: its path under /workspace and its text. */
export interface JudgedSource {
  path: string;
  content: Buffer;
}

export interface JudgeHooks extends RunOptions {
  /** The source is known (written, or read from /workspace): before anything runs. */
  onSource?(source: JudgedSource): void;
  /** A case ended (or the compile failed, with no case): its verdict, and the run as session.execute answers it. */
  onRun?(answer: SessionExecuteResult, verdict: Verdict | undefined, index: number): Promise<void> | void;
}

/**
 * Compiles the program once, then runs it once per case, in order, each with its own stdin and limits: a case
 * that fails stops nothing but itself. A compile error is the whole answer.
 */
export function judge(session: Session, request: JudgeRequest, hooks: JudgeHooks = {}): Promise<SessionJudgeResult> {
  request.cases.forEach((testCase, index) => {
    if (testCase.memoryLimitMB !== undefined && testCase.memoryLimitMB > session.limits.memoryMb) {
      throw invalidParams(
        `cases[${index}].memoryLimitMB: ${testCase.memoryLimitMB} MB is more than the session's ${session.limits.memoryMb} MB (session.create's memoryLimitMB)`,
      );
    }
  });
  return session.exclusive(async () => {
    const startedAt = Date.now();
    const source = await sourceOf(session, request);
    const path = posix.relative(WORKSPACE_ROOT, source.path);
    hooks.onSource?.({ path, content: source.content });
    const sources = { [path]: source.content.toString("utf8") };
    // Given as code, the file is written by the first stage that runs (the compile, or the first case).
    const pending = request.code !== undefined ? [source] : undefined;
    const program = await programOf(session, source, pending && source.path);
    const follow = { observer: hooks.observer, onStage: hooks.onStage };

    let compile: StageRun | undefined;
    let diagnostics: SessionJudgeResult["diagnostics"] = [];
    if (program.compile) {
      compile = await compileStage(session, program, follow, pending);
      diagnostics = diagnose(session, [compile], sources);
      if (compile.stage.status !== "Success") {
        await hooks.onRun?.(envelope(null, [compile], startedAt, diagnostics), undefined, -1);
        const summary = { passed: 0, failed: request.cases.length, total: request.cases.length, wallMs: Date.now() - startedAt };
        return { status: "CompilationError", compile: compile.stage, diagnostics, verdicts: [], summary };
      }
    }

    const verdicts: Verdict[] = [];
    let ended: string | undefined;
    for (const [index, testCase] of request.cases.entries()) {
      const name = testCase.name ?? `case ${index + 1}`;
      if (verdicts.at(-1)?.status === "Cancelled") {
        verdicts.push(notRun(name, testCase, "Cancelled: not run, the judge was stopped"));
        continue;
      }
      if (ended) {
        verdicts.push(notRun(name, testCase, `Cancelled: not run, the session ended (${ended})`));
        continue;
      }
      const caseStartedAt = Date.now();
      let answer: SessionExecuteResult;
      try {
        const run = await runStage(
          session,
          "run",
          {
            argv: program.run,
            cwd: program.cwd,
            timeoutMs: testCase.timeoutMs ?? session.limits.timeoutMs,
            files: compile || index > 0 ? undefined : pending,
            stdin: testCase.stdin,
            warm: "launcher",
          },
          follow,
        );
        answer = envelope(null, [run], caseStartedAt, diagnose(session, [run], run.stage.status === "Success" ? {} : sources));
      } catch (error) {
        // Under gVisor a program out of memory stops the whole sandbox: this case says so, the rest cannot run.
        if (!(error instanceof SandboxLostError)) throw error;
        answer = await sessionEnded(session, error, caseStartedAt);
        ended = answer.error ?? error.message;
      }
      const verdict = verdictOf(name, testCase, answer, request.compare);
      verdicts.push(verdict);
      await hooks.onRun?.(answer, verdict, index);
    }
    const failed = verdicts.find((verdict) => verdict.status !== "Accepted");
    return {
      status: failed?.status ?? "Accepted",
      compile: compile?.stage ?? null,
      diagnostics,
      verdicts,
      summary: summarize(verdicts, startedAt),
    };
  });
}

/** The program's file: the code written where execute_code would write it, or a regular file already there. */
async function sourceOf(session: Session, request: JudgeRequest): Promise<{ path: string; content: Buffer }> {
  if (request.code !== undefined) {
    const name = request.fileName ?? entryFileName(session.runtime.manifest, request.code);
    return { path: posix.join(WORKSPACE_ROOT, name), content: Buffer.from(request.code, "utf8") };
  }
  const path = request.path!;
  try {
    const entry = (await session.sandbox.list(posix.dirname(path))).find((candidate) => candidate.name === posix.basename(path));
    if (!entry) throw new SandboxFileError("NotFound", path);
    if (entry.type !== "file") throw invalidParams(`path: ${path} is not a regular file (${entry.type})`);
    return { path, content: await session.sandbox.readFile(path, 1 << 20) };
  } catch (error) {
    if (!(error instanceof SandboxFileError)) throw error;
    const why = error.code === "NotFound" || error.code === "NotADirectory" ? "does not exist" : `cannot be read (${error.code})`;
    throw invalidParams(`path: ${path} ${why} in the session's /workspace`);
  }
}

function verdictOf(name: string, testCase: JudgeCase, answer: SessionExecuteResult, comparison: Comparison): Verdict {
  const expectedOutput = testCase.expectedOutput ?? null;
  const base = {
    name,
    stdout: answer.stdout,
    stderr: answer.stderr,
    expectedOutput,
    exitCode: answer.exitCode,
    metrics: answer.metrics ?? { wallMs: 0, cpuMs: 0, peakMemoryBytes: 0 },
    diagnostics: answer.diagnostics,
  };
  if (!answer.success) return { ...base, status: answer.status as VerdictStatus, error: answer.error };
  const peakMb = base.metrics.peakMemoryBytes / (1 << 20);
  if (testCase.memoryLimitMB !== undefined && peakMb > testCase.memoryLimitMB) {
    const error = `MemoryLimitExceeded: the program's peak memory, ${peakMb.toFixed(1)} MB, is over this case's ${testCase.memoryLimitMB} MB`;
    return { ...base, status: "MemoryLimitExceeded", error };
  }
  if (expectedOutput === null || outputMatches(answer.stdout, expectedOutput, comparison)) {
    return { ...base, status: "Accepted", error: null };
  }
  const diff = describeDifference(answer.stdout, expectedOutput);
  return { ...base, status: "WrongAnswer", diff, error: `WrongAnswer: ${diff.split("\n")[0]}` };
}

function notRun(name: string, testCase: JudgeCase, error: string): Verdict {
  const metrics = { wallMs: 0, cpuMs: 0, peakMemoryBytes: 0 };
  return {
    name,
    status: "Cancelled",
    stdout: "",
    stderr: "",
    expectedOutput: testCase.expectedOutput ?? null,
    exitCode: null,
    metrics,
    diagnostics: [],
    error,
  };
}

function summarize(verdicts: Verdict[], startedAt: number) {
  const passed = verdicts.filter((verdict) => verdict.status === "Accepted").length;
  return { passed, failed: verdicts.length - passed, total: verdicts.length, wallMs: Date.now() - startedAt };
}
