import { z } from "zod";
import { WorkspacePath } from "./commands";
import { Diagnostic } from "./diagnostics";
import { Metrics, RunStatus, StageResult } from "./results";

/**
 * `session.judge`: one program against many cases (a grader's, a teacher's, a competitive programmer's). It is
 * compiled once; each case is then a run of its own, with its own stdin and limits, and gets a verdict.
 */

export const JudgeCase = z.strictObject({
  /** Shown in verdicts and in the history; "case 1", "case 2", … when left out. */
  name: z.string().min(1).max(200).optional(),
  stdin: z.string().default(""),
  /** Left out: any output is accepted, as long as the program succeeds. */
  expectedOutput: z.string().optional(),
  timeoutMs: z.number().int().min(1).max(3_600_000).optional(),
  /**
   * At most the session's memory limit. A case whose peak memory passes it is MemoryLimitExceeded; the sandbox's
   * own limit is what kills a program outright.
   */
  memoryLimitMB: z.number().int().min(1).max(65_536).optional(),
});
export type JudgeCase = z.output<typeof JudgeCase>;

/**
 * How output is compared with the expected output: `trimmed` ignores trailing whitespace on each line and at the
 * end, `exact` compares bytes, `tokens` compares whitespace-separated words, and a number compares words with
 * numbers equal within that tolerance (absolute or relative), the rest exactly.
 */
export const Comparison = z.union([z.enum(["trimmed", "exact", "tokens"]), z.number().min(0).max(1)]);
export type Comparison = z.infer<typeof Comparison>;

export const SessionJudgeParams = z
  .strictObject({
    sessionId: z.string().min(1, "must be the sessionId that session.create returned"),
    /** The program's source, written to the runtime's entry file (or `fileName`), as execute_code does. */
    code: z.string().optional(),
    fileName: z
      .string()
      .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, "must be a plain file name, like main.py")
      .optional(),
    /** Or a file already in /workspace, as run_file takes it. */
    path: WorkspacePath.optional(),
    cases: z.array(JudgeCase).min(1, "needs at least one case").max(1000),
    compare: Comparison.default("trimmed"),
    /** Follow the judge: `judge.case` notifications as each case ends, and run.stop stops it. */
    runId: z.string().min(1).optional(),
  })
  .refine((params) => (params.code === undefined) !== (params.path === undefined), {
    message: "needs either code or path (not both)",
    path: ["code"],
  })
  .refine((params) => params.fileName === undefined || params.code !== undefined, {
    message: "fileName goes with code; a path names its file itself",
    path: ["fileName"],
  });
export type SessionJudgeParams = z.input<typeof SessionJudgeParams>;

/** A case's verdict: Accepted, WrongAnswer, or how the run ended when it did not succeed. */
export const VerdictStatus = z.union([z.enum(["Accepted", "WrongAnswer"]), RunStatus.exclude(["Success", "CompilationError"])]);
export type VerdictStatus = z.infer<typeof VerdictStatus>;

export const Verdict = z.object({
  name: z.string(),
  status: VerdictStatus,
  stdout: z.string(),
  stderr: z.string(),
  expectedOutput: z.string().nullable(),
  /** For a wrong answer: where the output first differs, then a unified diff of the first lines. */
  diff: z.string().optional(),
  exitCode: z.number().nullable(),
  metrics: Metrics,
  /** Where a runtime error happened, as session.execute reports it. */
  diagnostics: z.array(Diagnostic),
  /** The guide's error string, for a case that did not pass. */
  error: z.string().nullable(),
});
export type Verdict = z.infer<typeof Verdict>;

export const JudgeSummary = z.object({
  passed: z.number(),
  failed: z.number(),
  total: z.number(),
  /** From the start of the compile to the end of the last case. */
  wallMs: z.number(),
});

export const SessionJudgeResult = z.object({
  /** Accepted when every case passed; CompilationError when none ran; otherwise the first failed case's status. */
  status: z.union([z.literal("CompilationError"), VerdictStatus]),
  /** The compile stage, for languages that have one. */
  compile: StageResult.nullable(),
  /** The compiler's errors and warnings. */
  diagnostics: z.array(Diagnostic),
  verdicts: z.array(Verdict),
  summary: JudgeSummary,
});
export type SessionJudgeResult = z.infer<typeof SessionJudgeResult>;

export const JudgeCaseParams = z.object({ runId: z.string(), index: z.number(), total: z.number(), verdict: Verdict });
