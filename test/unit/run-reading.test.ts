import { describe, expect, it } from "vitest";
import { readRun, withoutFinalLineBreak } from "../../contract/protocol/run-reading";
import type { StageResult } from "../../contract/protocol/results";
import type { SessionExecuteResult } from "../../contract/protocol/session";
import { summaryLine } from "../../contract/protocol/summary";

const stage = (status: StageResult["status"], stdout: string, extra: Partial<StageResult> = {}): StageResult => ({
  status,
  exitCode: status === "Success" ? 0 : 1,
  signal: null,
  stdout,
  stderr: "",
  stdoutTruncated: false,
  stderrTruncated: false,
  wallMs: 10,
  cpuMs: 5,
  peakMemoryBytes: 1 << 20,
  warm: false,
  ...extra,
});

const answer = (fields: Partial<SessionExecuteResult>): SessionExecuteResult => ({
  success: false,
  result: null,
  error: null,
  durationMs: 12,
  status: "Success",
  errorCode: null,
  exitCode: null,
  stdout: "",
  stderr: "",
  metrics: null,
  stages: null,
  diagnostics: [],
  errorType: null,
  ...fields,
});

describe("readRun: what a run's answer says, read once", () => {
  it("takes the headline from the error's first line, and the place from the first error (not the first diagnostic)", () => {
    const crashed = answer({
      status: "RuntimeError",
      error: "RuntimeError: the program exited with code 1\nTraceback …",
      stdout: "before\r\n",
      stages: { run: stage("RuntimeError", "before\r\n") },
      diagnostics: [
        { path: "main.py", line: 1, column: 1, severity: "warning", message: "unused", code: "W1", related: [] },
        { path: "main.py", line: 3, column: 7, severity: "error", message: "division by zero", code: "ZeroDivisionError", related: [] },
      ],
    });
    const reading = readRun(crashed);
    expect(reading).toMatchObject({
      headline: "RuntimeError: the program exited with code 1",
      firstError: { code: "ZeroDivisionError", line: 3 },
      location: { path: "main.py", line: 3, column: 7 },
      output: "before",
    });
    expect(reading.stage).toBe(crashed.stages!.run);
  });

  it("reads a failed compile as the stage the answer speaks for, and a success as having no headline", () => {
    const compile = stage("CompilationError", "main.ts(1,7): error TS2322\n");
    const failed = readRun(
      answer({
        status: "CompilationError",
        error: "CompilationError: compilation failed (exit code 2)",
        stdout: compile.stdout,
        stages: { compile },
      }),
    );
    expect(failed).toMatchObject({
      headline: "CompilationError: compilation failed (exit code 2)",
      location: null,
      output: "main.ts(1,7): error TS2322",
    });
    expect(failed.stage).toBe(compile);
    const ran = stage("Success", "42\n");
    expect(readRun(answer({ success: true, stdout: "42\n", stages: { compile: stage("Success", ""), run: ran } }))).toEqual({
      headline: null,
      firstError: null,
      location: null,
      output: "42",
      stage: ran,
    });
    expect(readRun(answer({ status: "FileError", error: "File not found: /workspace/a" }))).toMatchObject({
      headline: "File not found: /workspace/a",
      stage: null,
    });
  });

  it("is what the summary line says", () => {
    const killed = answer({
      status: "RuntimeError",
      error: "RuntimeError: the program was killed by SIGKILL\nmore",
      stages: { run: stage("RuntimeError", "", { signal: "SIGKILL", exitCode: null }) },
    });
    expect(summaryLine(killed)).toBe("── RuntimeError · SIGKILL\nRuntimeError: the program was killed by SIGKILL");
  });

  it("drops one final line break, LF or CRLF, and nothing else", () => {
    expect(withoutFinalLineBreak("a\n\n")).toBe("a\n");
    expect(withoutFinalLineBreak("a\r\n")).toBe("a");
    expect(withoutFinalLineBreak("a")).toBe("a");
  });
});
