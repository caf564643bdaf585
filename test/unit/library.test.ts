import { describe, expect, it } from "vitest";
import { parseMemoryLimit, sessionParams, versionMatches } from "../../host/library/config";
import { Listeners } from "../../host/library/events";
import { toHistoryEntry, toRunResult, versionNumber } from "../../host/library/results";
import { RuntimeRegistry } from "../../host/library/runtime-registry";
import type { HistoryRun } from "../../host/protocol/history";
import { SessionCreateParams, SessionExecuteResult } from "../../host/protocol/session";

describe("a beaker's configuration", () => {
  it("reads memory as the seed writes it", () => {
    expect(parseMemoryLimit("256m")).toBe(256);
    expect(parseMemoryLimit("1g")).toBe(1024);
    expect(parseMemoryLimit("2GiB")).toBe(2048);
    expect(parseMemoryLimit("512mb")).toBe(512);
    expect(parseMemoryLimit(300)).toBe(300);
    expect(() => parseMemoryLimit("lots")).toThrow(/memoryLimit "lots" is not a size: write it like "256m"/);
    expect(() => parseMemoryLimit("-5m")).toThrow(/not a size/);
  });

  it("becomes session.create params the protocol accepts, seconds turned to milliseconds", () => {
    const params = sessionParams("python", { memoryLimit: "256m", cpuLimit: 0.5, timeout: 2.5, networkEnabled: false, packages: ["six"] }, "w");
    expect(params).toEqual({ language: "python", workspace: "w", memoryLimitMB: 256, cpuLimit: 0.5, timeoutMs: 2500, networkEnabled: false, packages: ["six"] });
    expect(SessionCreateParams.safeParse(params).success).toBe(true);
    // What is not said is left to the host's defaults, not written as undefined.
    expect(sessionParams("go", {}, "w")).toEqual({ language: "go", workspace: "w" });
  });

  it("matches versions by their leading parts", () => {
    expect(versionMatches("3.11", "3.11")).toBe(true);
    expect(versionMatches("3.11", "3.11.2")).toBe(true);
    expect(versionMatches("3", "3.11")).toBe(true);
    expect(versionMatches("3.1", "3.11")).toBe(false);
    expect(versionMatches("2.7", "3.11")).toBe(false);
  });

  it("names versions v1, v2, … and refuses what is not one", () => {
    expect(versionNumber("v3")).toBe(3);
    expect(versionNumber("V12")).toBe(12);
    expect(versionNumber(2)).toBe(2);
    expect(() => versionNumber("v0")).toThrow(/"v0" is not a version/);
    expect(() => versionNumber("latest")).toThrow(/versions are v1, v2/);
  });
});

describe("a beaker's events", () => {
  it("reach every listener; one that throws does not stop the others, and its error comes back once", () => {
    const events = new Listeners<{ done: number }>();
    const heard: number[] = [];
    events.on("done", () => {
      throw new Error("listener broke");
    });
    events.on("done", (value) => heard.push(value));
    events.emit("done", 7);
    expect(heard).toEqual([7]);
    expect(() => events.rethrow()).toThrow("listener broke");
    expect(() => events.rethrow()).not.toThrow();
  });

  it("stop reaching a listener taken off", () => {
    const events = new Listeners<{ done: number }>();
    const heard: number[] = [];
    const listener = (value: number) => heard.push(value);
    events.on("done", listener);
    events.off("done", listener);
    events.emit("done", 1);
    expect(heard).toEqual([]);
  });
});

const failedAnswer: SessionExecuteResult = {
  success: false,
  result: null,
  error: "RuntimeError: the program exited with code 1",
  durationMs: 40,
  status: "RuntimeError",
  errorCode: null,
  exitCode: 1,
  stdout: "before\n",
  stderr: "Traceback …\nZeroDivisionError: division by zero\n",
  metrics: { wallMs: 20, cpuMs: 30, peakMemoryBytes: 8 * 1024 * 1024 },
  stages: null,
  errorType: "ZeroDivisionError",
  diagnostics: [
    {
      path: "main.py",
      line: 3,
      column: 5,
      severity: "error",
      message: "ZeroDivisionError: division by zero",
      code: "ZeroDivisionError",
      related: [{ path: "main.py", line: 7, column: 1, message: "<module>" }],
    },
  ],
} as unknown as SessionExecuteResult;

describe("a run's result", () => {
  it("carries the seed's fields, computed from the host's answer", () => {
    const result = toRunResult("run-1", failedAnswer, { version: 2, path: "main.py" } as HistoryRun);
    expect(result).toMatchObject({
      id: "run-1",
      success: false,
      status: "RuntimeError",
      output: "before\n",
      error: failedAnswer.stderr,
      exitCode: 1,
      durationMs: 20,
      memoryUsedMb: 8,
      cpuPercent: 150,
      errorType: "ZeroDivisionError",
      errorLocation: { path: "main.py", line: 3, column: 5 },
      version: "v2",
      file: "main.py",
    });
    // The stack from the outermost frame to where it was raised.
    expect(result.stackTrace.map((frame) => frame.line)).toEqual([7, 3]);
  });

  it("says no metrics rather than zero when the host has none", () => {
    const result = toRunResult("run-2", { ...failedAnswer, metrics: null, diagnostics: [] }, undefined);
    expect(result).toMatchObject({ durationMs: 40, memoryUsedMb: null, cpuPercent: null, errorLocation: null, stackTrace: [], version: null });
  });

  it("lists in the history as the seed prints it", () => {
    const run = { id: "a", version: 4, path: "main.py", status: "Success", metrics: { wallMs: 12.34, cpuMs: 1, peakMemoryBytes: 1048576 }, at: "t", errorType: null, error: null, location: null } as unknown as HistoryRun;
    expect(toHistoryEntry(run)).toMatchObject({ version: "v4", status: "Success", success: true, durationMs: 12.3, memoryUsedMb: 1 });
  });
});

describe("RuntimeRegistry.register", () => {
  it("adds a language of an image and a command line, and names it among the languages", () => {
    RuntimeRegistry.register("unit-shell", { image: "debian:bookworm-slim", entryFile: "main.sh", run: ["sh", "{file}"], aliases: ["ush"] });
    expect(RuntimeRegistry.languages()).toContain("unit-shell");
    expect(RuntimeRegistry.knows("ush")).toBe(true);
  });

  it("refuses a runtime that is not one, saying which field is wrong", () => {
    expect(() => RuntimeRegistry.register("broken", { image: "x", entryFile: "main.b", run: [] })).toThrow(/register\("broken"\)[\s\S]*run/);
  });

  it("refuses a name another language already answers to, when it is registered", () => {
    expect(() => RuntimeRegistry.register("snake", { image: "x", entryFile: "main.sn", run: ["sn"], aliases: ["py"] })).toThrow(/"py" is claimed by both python and snake/);
    expect(RuntimeRegistry.knows("snake")).toBe(false);
  });
});
