import { describe, expect, it } from "vitest";
import { runPath } from "../../host/library/beaker";
import { parseMemoryLimit, sessionParams } from "../../host/library/config";
import { Listeners } from "../../host/library/events";
import { Beaker, CodeBeakerError, Lab } from "../../host/library";
import { toHistoryEntry, toRunResult, versionNumber } from "../../host/library/results";
import { ErrorCodes, RpcError } from "../../contract/protocol/errors";
import type { HistoryRun } from "../../contract/protocol/history";
import { SessionCreateParams, SessionExecuteResult } from "../../contract/protocol/session";

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
    const params = sessionParams(
      "python",
      { memoryLimit: "256m", cpuLimit: 0.5, timeout: 2.5, networkEnabled: false, packages: ["six"] },
      "w",
    );
    expect(params).toEqual({
      language: "python",
      workspace: "w",
      memoryLimitMB: 256,
      cpuLimit: 0.5,
      timeoutMs: 2500,
      networkEnabled: false,
      packages: ["six"],
    });
    expect(SessionCreateParams.safeParse(params).success).toBe(true);
    // What is not said is left to the host's defaults, not written as undefined.
    expect(sessionParams("go", {}, "w")).toEqual({ language: "go", workspace: "w" });
  });

  it("asks session.create for the version the config names (the seed's RuntimeConfig(version=…))", () => {
    expect(sessionParams("python", { version: "3.11" }, "w")).toEqual({ language: "python", workspace: "w", version: "3.11" });
  });

  it("asks session.create for a cold toolchain with warm: false, and leaves the host's default otherwise", () => {
    expect(sessionParams("python", { warm: false }, "w")).toEqual({ language: "python", workspace: "w", warm: false });
    expect(sessionParams("python", {}, "w")).not.toHaveProperty("warm");
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
      output: "before", // stdout without its final line break, as execute_code's result is
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
    expect(result.stackFrames.map((frame) => frame.line)).toEqual([7, 3]);
    expect(result.errorInfo).toEqual({
      type: "ZeroDivisionError",
      message: "ZeroDivisionError: division by zero",
      location: { path: "main.py", line: 3, column: 5 },
      frames: result.stackFrames,
    });
  });

  it("carries the full trace as text: what the failed stage printed", () => {
    const stage = (status: string, stdout: string, stderr: string) => ({
      status,
      exitCode: 1,
      signal: null,
      stdout,
      stderr,
      stdoutTruncated: false,
      stderrTruncated: false,
      wallMs: 1,
      cpuMs: 1,
      peakMemoryBytes: 1,
      warm: false,
    });
    const trace =
      'Traceback (most recent call last):\n  File "/workspace/main.py", line 3, in <module>\nZeroDivisionError: division by zero\n';
    const ran = toRunResult(
      "r",
      { ...failedAnswer, stages: { run: stage("RuntimeError", "before\n", trace) } } as SessionExecuteResult,
      undefined,
    );
    expect(ran.stackTrace).toBe(trace.trimEnd());
    // A compiler that reports on stdout (mcs) is read there.
    const compiled = toRunResult(
      "c",
      {
        ...failedAnswer,
        status: "CompilationError",
        stages: { compile: stage("CompilationError", "Program.cs(1,1): error CS1525\n", "") },
      } as SessionExecuteResult,
      undefined,
    );
    expect(compiled.stackTrace).toBe("Program.cs(1,1): error CS1525");
    const passed = toRunResult(
      "s",
      {
        ...failedAnswer,
        success: true,
        status: "Success",
        diagnostics: [],
        errorType: null,
        error: null,
        stages: { run: stage("Success", "", "a warning") },
      } as SessionExecuteResult,
      undefined,
    );
    expect(passed).toMatchObject({ stackTrace: null, errorInfo: null, stackFrames: [] });
  });

  it("says what failed in errorInfo when no parser placed it: the status and the host's reason", () => {
    const slow = toRunResult(
      "t",
      {
        ...failedAnswer,
        status: "TimeLimitExceeded",
        errorType: null,
        diagnostics: [],
        error: "TimeLimitExceeded: the program ran past 1000 ms\nmore",
      } as SessionExecuteResult,
      undefined,
    );
    expect(slow.errorInfo).toEqual({
      type: "TimeLimitExceeded",
      message: "TimeLimitExceeded: the program ran past 1000 ms",
      location: null,
      frames: [],
    });
  });

  it("says no metrics rather than zero when the host has none", () => {
    const result = toRunResult("run-2", { ...failedAnswer, metrics: null, diagnostics: [] }, undefined);
    expect(result).toMatchObject({
      durationMs: 40,
      memoryUsedMb: null,
      cpuPercent: null,
      errorLocation: null,
      stackFrames: [],
      stackTrace: null,
      version: null,
    });
  });

  it("lists in the history as the seed prints it", () => {
    const run = {
      id: "a",
      version: 4,
      path: "main.py",
      status: "Success",
      metrics: { wallMs: 12.34, cpuMs: 1, peakMemoryBytes: 1048576 },
      at: "t",
      errorType: null,
      error: null,
      location: null,
    } as unknown as HistoryRun;
    expect(toHistoryEntry(run)).toMatchObject({ version: "v4", status: "Success", success: true, durationMs: 12.3, memoryUsedMb: 1 });
  });
});

describe("the library's errors", () => {
  /** What a call threw, for matching. */
  const thrown = async (call: () => unknown) => {
    try {
      await call();
    } catch (error) {
      return error;
    }
    throw new Error("it did not throw");
  };

  it("refuse options that do not exist, naming each and the camelCase of the seed's spelling", async () => {
    const lab = new Lab({ warmPool: 0 });
    const construct = await thrown(() => new Beaker({ language: "python", lab, memory_limit: "128m", colour: "red" } as never));
    expect(construct).toBeInstanceOf(CodeBeakerError);
    expect(construct).toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringMatching(/^Beaker: unknown options "memory_limit" \(did you mean memoryLimit\?\), "colour" \(known: /),
      data: { unknown: ["memory_limit", "colour"] },
    });
    await expect(
      thrown(() => new Beaker({ language: "python", lab, config: { working_dir: "/workspace" } } as never)),
    ).resolves.toMatchObject({
      message: expect.stringMatching(/Beaker config: unknown option "working_dir" \(did you mean workingDir\?\)/),
    });
    // Refused before any sandbox starts: this lab never starts its host.
    const beaker = new Beaker({ language: "python", lab });
    await expect(thrown(() => beaker.run("print(1)", { input_data: "x" } as never))).resolves.toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringMatching(/run\(\): unknown option "input_data" \(did you mean inputData\?\)/),
    });
    await expect(thrown(() => beaker.run("print(1)", { stdin: "a", inputData: "b" }))).resolves.toMatchObject({ code: "INVALID_OPTION" });
    await expect(thrown(() => beaker.run("print(1)", { language: "cobol" }))).resolves.toMatchObject({
      code: "UNKNOWN_LANGUAGE",
      message: expect.stringMatching(/unknown language "cobol" \(known: python, /),
    });
    await expect(thrown(() => beaker.run(undefined))).resolves.toMatchObject({ code: "INVALID_CALL" });
    await expect(thrown(() => lab.beaker("python", { memory: 5 } as never))).resolves.toMatchObject({ code: "INVALID_OPTION" });
    await expect(thrown(() => new Lab({ history_dir: "/tmp" } as never))).resolves.toMatchObject({
      message: expect.stringMatching(/did you mean historyDir/),
    });
    await expect(thrown(() => lab.runParallel([{ language: "python", code: "", stdinn: "" } as never]))).resolves.toMatchObject({
      code: "INVALID_OPTION",
    });
    await lab.close();
  });

  it("are CodeBeakerErrors with a code, for the library's own checks and the host's answers alike", async () => {
    for (const call of [() => parseMemoryLimit("lots"), () => versionNumber("latest"), () => new Beaker({ language: "" })]) {
      expect(await thrown(call)).toMatchObject({ name: "CodeBeakerError", code: "INVALID_OPTION" });
    }
    const fromHost = CodeBeakerError.from(new RpcError(ErrorCodes.InvalidParams, "Invalid params: cpuLimit: Too small", ["cpuLimit"]));
    expect(fromHost).toMatchObject({
      code: "INVALID_PARAMS",
      jsonRpcCode: -32602,
      message: "Invalid params: cpuLimit: Too small",
      data: ["cpuLimit"],
    });
    expect(CodeBeakerError.from(new Error("engine gone"))).toMatchObject({ code: "INTERNAL_ERROR", message: "engine gone" });
    const events = new Listeners<{ done: number }>();
    events.on("done", () => {
      throw new Error("listener broke");
    });
    events.emit("done", 1);
    expect(await thrown(() => events.rethrow())).toMatchObject({
      code: "LISTENER_FAILED",
      message: "a listener threw: listener broke",
      cause: { message: "listener broke" },
    });
  });
});

describe("where a run's code goes", () => {
  const entry = () => "main.py";

  it("is the entry file in /workspace, or in the working directory asked for", () => {
    expect(runPath({ entry })).toBe("/workspace/main.py");
    expect(runPath({ workingDir: "/workspace/task", entry })).toBe("/workspace/task/main.py");
    expect(runPath({ workingDir: "task", file: "solve.py", entry })).toBe("/workspace/task/solve.py");
  });

  it("continues the current file, in its directory, unless told otherwise", () => {
    expect(runPath({ continued: "task/solve.py", entry })).toBe("/workspace/task/solve.py");
    expect(runPath({ continued: "task/solve.py", file: "other.py", entry })).toBe("/workspace/other.py");
    expect(runPath({ continued: "task/solve.py", workingDir: "/workspace", entry })).toBe("/workspace/solve.py");
  });

  it("refuses a directory or file outside /workspace, naming the option", () => {
    expect(() => runPath({ workingDir: "/etc", entry })).toThrow(/workingDir "\/etc" resolves to \/etc, outside \/workspace/);
    expect(() => runPath({ file: "../x.py", entry })).toThrow(/file "\.\.\/x\.py"/);
  });
});
