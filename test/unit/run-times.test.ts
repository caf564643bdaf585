import { describe, expect, it } from "vitest";
import type { StageResult } from "../../contract/protocol/results";
import type { SessionExecuteResult } from "../../contract/protocol/session";
import { stageTimes, summaryLine } from "../../contract/protocol/summary";
import { lastRunTimes, shortDuration, warmNote } from "../../extension/run-times";

const stage = (wallMs: number, warm: boolean, status: StageResult["status"] = "Success"): StageResult => ({
  status,
  exitCode: status === "Success" ? 0 : 1,
  signal: null,
  stdout: "",
  stderr: "",
  stdoutTruncated: false,
  stderrTruncated: false,
  wallMs,
  cpuMs: wallMs / 2,
  peakMemoryBytes: 7.5 * 1024 * 1024,
  warm,
});

function answer(stages: SessionExecuteResult["stages"], status: SessionExecuteResult["status"] = "Success"): SessionExecuteResult {
  const last = stages?.run ?? stages?.compile;
  return {
    success: status === "Success",
    result: null,
    error: status === "Success" ? null : `${status}: it failed\nmore`,
    durationMs: 1,
    status,
    errorCode: null,
    exitCode: last?.exitCode ?? null,
    stdout: "",
    stderr: "",
    metrics: last ? { wallMs: last.wallMs, cpuMs: last.cpuMs, peakMemoryBytes: last.peakMemoryBytes } : null,
    stages,
    diagnostics: [],
    errorType: null,
  };
}

describe("compile time and run time, apart", () => {
  const compiled = answer({ compile: stage(812.4, true), run: stage(23.5, true) });
  const alone = answer({ run: stage(23.5, false) });
  const broken = answer({ compile: stage(2812, false, "CompilationError") }, "CompilationError");

  it("in the summary line of the CLI and the editor's terminal", () => {
    expect(summaryLine(alone)).toBe("── Success · exit 0 · wall 23.5 ms · CPU 11.75 ms · peak memory 7.5 MB");
    expect(summaryLine(compiled)).toBe("── Success · exit 0 · compile 812.4 ms · run 23.5 ms · CPU 11.75 ms · peak memory 7.5 MB");
    expect(summaryLine(broken)).toBe(
      "── CompilationError · exit 1 · compile 2812 ms · CPU 1406 ms · peak memory 7.5 MB\nCompilationError: it failed",
    );
    expect(stageTimes(answer(null, "Success"))).toBeUndefined();
  });

  it("in the status bar, rounded, with which stages ran warm in its tooltip", () => {
    expect(lastRunTimes(alone)).toBe("24 ms");
    expect(lastRunTimes(compiled)).toBe("compile 812 ms · run 24 ms");
    expect(lastRunTimes(broken)).toBe("compile 2.8 s");
    expect(shortDuration(3260)).toBe("3.3 s");
    expect(warmNote(compiled)).toBe(" (toolchain warm)");
    expect(warmNote(alone)).toBe(" (toolchain cold)");
    expect(warmNote(answer({ compile: stage(100, true), run: stage(20, false) }))).toBe(" (compile warm)");
  });
});
