import type { Comparison, JudgeCase, SessionJudgeResult } from "../../contract/protocol/judge";
import { milliseconds, parseMemoryLimit } from "./config";
import { CodeBeakerError } from "./errors";
import { refuseUnknownOptions } from "./options";

/** One test case, as the seed writes a run's options: input, the output expected, and its own limits. */
export interface TestCase {
  name?: string;
  /** The program's stdin (the seed's input_data); `stdin` is the same. */
  inputData?: string;
  stdin?: string;
  /** What it must print; left out, any output of a run that succeeds passes. */
  expectedOutput?: string;
  /** This case's time limit in seconds. */
  timeout?: number;
  /** This case's memory limit ("128m", or megabytes), at most the beaker's: checked against the run's peak. */
  memoryLimit?: string | number;
}

export interface JudgeOptions {
  /** "trimmed" (the default), "exact", "tokens", or a tolerance for numbers (1e-6). */
  compare?: Comparison;
  /** The file the code is written to (main.py, …), in the beaker's working directory. */
  file?: string;
}

/** A judge's answer: the protocol's session.judge result, verdict by verdict. */
export type JudgeResult = SessionJudgeResult;

const CASE_KEYS = ["name", "inputData", "stdin", "expectedOutput", "timeout", "memoryLimit"];
export const JUDGE_OPTION_KEYS = ["compare", "file"];

/** The library's test cases as session.judge takes them, each checked for options it does not know. */
export function judgeCases(cases: readonly TestCase[]): Array<Partial<JudgeCase>> {
  if (!Array.isArray(cases) || cases.length === 0) {
    throw new CodeBeakerError("INVALID_OPTION", 'judge() needs at least one test case, like [{ inputData: "1 2", expectedOutput: "3" }]', {
      data: { option: "cases" },
    });
  }
  return cases.map((testCase, index) => {
    refuseUnknownOptions(`judge() case ${index + 1}`, testCase, CASE_KEYS);
    const { name, inputData, stdin, expectedOutput, timeout, memoryLimit } = testCase;
    if (stdin !== undefined && inputData !== undefined && stdin !== inputData) {
      throw new CodeBeakerError("INVALID_OPTION", `judge() case ${index + 1}: give stdin or inputData (the same thing), not both`, {
        data: { case: index },
      });
    }
    return {
      ...(name !== undefined ? { name } : {}),
      stdin: stdin ?? inputData ?? "",
      ...(expectedOutput !== undefined ? { expectedOutput } : {}),
      ...(timeout !== undefined ? { timeoutMs: milliseconds(timeout) } : {}),
      ...(memoryLimit !== undefined ? { memoryLimitMB: parseMemoryLimit(memoryLimit) } : {}),
    };
  });
}
