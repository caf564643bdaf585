import { Diagnostic, ErrorLocation, firstError } from "./diagnostics";
import type { StageResult } from "./results";
import type { SessionExecuteResult } from "./session";

/**
 * What a run's answer says, as the history, the summary line, the MCP tools and the library all say it. It is
 * read here once, from the answer, and handed on: none of them derives it again.
 */
export interface RunReading {
  /** The first line of `error`: the status and its cause ("RuntimeError: the program exited with code 1"); null on success. */
  headline: string | null;
  /** The first error the compiler or the program reported, with its frames; null when no parser placed one. */
  firstError: Diagnostic | null;
  /** Where that error is. */
  location: ErrorLocation | null;
  /** What the last stage wrote to stdout, without its final line break: what a terminal shows. */
  output: string;
  /** The last stage that ran (the run, or a compile that failed): the one the answer's exitCode and stdout are of. */
  stage: StageResult | null;
}

export function readRun(answer: SessionExecuteResult): RunReading {
  const error = firstError(answer.diagnostics) ?? null;
  return {
    headline: answer.error === null ? null : answer.error.split("\n", 1)[0]!,
    firstError: error,
    location: error && { path: error.path, line: error.line, column: error.column },
    output: withoutFinalLineBreak(answer.stdout),
    stage: answer.stages?.run ?? answer.stages?.compile ?? null,
  };
}

/** Text as a terminal shows it: a program's output without the line break that ends its last line. */
export function withoutFinalLineBreak(text: string): string {
  return text.replace(/\r?\n$/, "");
}
