import { describe, expect, it } from "vitest";
import type { RunOutcome } from "../../host/isolation/backend";
import { classify, describeFailure, signalName, type StageContext, type StageKind, toStage } from "../../host/sessions/outcome";

function outcome(overrides: Partial<RunOutcome> = {}): RunOutcome {
  return {
    exitCode: 0,
    signal: null,
    spawnError: null,
    wallMs: 12,
    cpuMs: 8,
    peakMemoryBytes: 4096,
    stdout: Buffer.alloc(0),
    stderr: Buffer.alloc(0),
    stdoutBytes: 0,
    stderrBytes: 0,
    timedOut: false,
    outputExceeded: false,
    killed: false,
    oomKilled: false,
    warm: false,
    ...overrides,
  };
}

const context: StageContext = { timeoutMs: 2500, memoryMb: 256, outputBytes: 1024, program: "python3", cwd: "/workspace/src" };

function failure(overrides: Partial<RunOutcome>, kind: StageKind = "run", ctx: StageContext = context): string {
  const run = outcome(overrides);
  return describeFailure(toStage(run, kind, ctx), run, kind, ctx);
}

describe("classify", () => {
  it("calls a clean exit Success, for both kinds", () => {
    expect(classify(outcome(), "run", 256)).toBe("Success");
    expect(classify(outcome(), "compile", 256)).toBe("Success");
  });

  it("puts a timeout before every other cause", () => {
    const all = { timedOut: true, outputExceeded: true, killed: true, oomKilled: true, exitCode: null, signal: 9 };
    expect(classify(outcome(all), "run", 256)).toBe("TimeLimitExceeded");
    expect(classify(outcome(all), "compile", 256)).toBe("TimeLimitExceeded");
  });

  it("puts the output limit before a kill, OOM and the signal", () => {
    expect(classify(outcome({ outputExceeded: true, killed: true, oomKilled: true, signal: 9, exitCode: null }), "run", 256)).toBe(
      "OutputLimitExceeded",
    );
  });

  it("calls a run stopped on request Cancelled, before OOM", () => {
    expect(classify(outcome({ killed: true, oomKilled: true, signal: 9, exitCode: null }), "run", 256)).toBe("Cancelled");
  });

  it("calls an OOM kill MemoryLimitExceeded, not a runtime error", () => {
    expect(classify(outcome({ oomKilled: true, signal: 9, exitCode: null }), "run", 256)).toBe("MemoryLimitExceeded");
    expect(classify(outcome({ oomKilled: true, exitCode: 137 }), "compile", 256)).toBe("MemoryLimitExceeded");
  });

  it("calls an OOM kill with /tmp or /workspace full and holding half the memory a disk error, naming the path", () => {
    const MiB = 1 << 20;
    const full = [
      { path: "/tmp", usedBytes: 254 * MiB, sizeBytes: 256 * MiB },
      { path: "/workspace", usedBytes: 0, sizeBytes: 256 * MiB },
    ];
    const oom = { oomKilled: true, signal: 9, exitCode: null, filesystems: full };
    expect(classify(outcome(oom), "run", 256)).toBe("RuntimeError");
    expect(classify(outcome(oom), "compile", 256)).toBe("CompilationError");
    const message = failure(oom);
    expect(message).toMatch(/^RuntimeError: no space left on \/tmp: files there are kept in the sandbox's 256 MB of memory/);
    expect(message).toContain("/tmp holds 254 MB, /workspace holds 0 MB");
    // The program's own appetite: the files are few, or nothing is full.
    expect(classify(outcome({ ...oom, filesystems: [{ path: "/tmp", usedBytes: 15 * MiB, sizeBytes: 16 * MiB }] }), "run", 256)).toBe(
      "MemoryLimitExceeded",
    );
    expect(classify(outcome({ ...oom, filesystems: [{ path: "/tmp", usedBytes: 200 * MiB, sizeBytes: 512 * MiB }] }), "run", 256)).toBe(
      "MemoryLimitExceeded",
    );
  });

  it.each<[string, Partial<RunOutcome>]>([
    ["a non-zero exit", { exitCode: 1 }],
    ["a signal", { exitCode: null, signal: 11 }],
    ["a spawn error", { exitCode: null, spawnError: { step: "exec", message: "No such file or directory", errno: 2 } }],
  ])("calls %s RuntimeError in a run and CompilationError in a compile", (_what, overrides) => {
    expect(classify(outcome(overrides), "run", 256)).toBe("RuntimeError");
    expect(classify(outcome(overrides), "compile", 256)).toBe("CompilationError");
  });
});

describe("toStage", () => {
  it("names the signal that ended the process", () => {
    expect(toStage(outcome({ exitCode: null, signal: 9 }), "run", context).signal).toBe("SIGKILL");
    expect(toStage(outcome({ exitCode: null, signal: 11 }), "run", context).signal).toBe("SIGSEGV");
    expect(toStage(outcome({ exitCode: null, signal: 15 }), "run", context).signal).toBe("SIGTERM");
    expect(toStage(outcome(), "run", context).signal).toBeNull();
  });

  it("marks a stream truncated only when the program wrote more bytes than the answer holds", () => {
    const held = (bytes: number) => Buffer.alloc(bytes, "x");
    const atLimit = toStage(outcome({ stdout: held(1024), stdoutBytes: 1024, stderr: held(1024), stderrBytes: 1024 }), "run", context);
    expect([atLimit.stdoutTruncated, atLimit.stderrTruncated]).toEqual([false, false]);
    const stdoutOver = toStage(outcome({ stdout: held(1024), stdoutBytes: 1025, stderr: held(10), stderrBytes: 10 }), "run", context);
    expect([stdoutOver.stdoutTruncated, stdoutOver.stderrTruncated]).toEqual([true, false]);
    const stderrOver = toStage(outcome({ stderr: held(1024), stderrBytes: 5000 }), "run", context);
    expect([stderrOver.stdoutTruncated, stderrOver.stderrTruncated]).toEqual([false, true]);
  });

  it("decodes the output as UTF-8 and keeps exit code and memory", () => {
    const stage = toStage(
      outcome({ exitCode: 3, stdout: Buffer.from("héllo\n"), stderr: Buffer.from("warn ✓"), peakMemoryBytes: 123_456 }),
      "run",
      context,
    );
    expect(stage).toMatchObject({ status: "RuntimeError", exitCode: 3, stdout: "héllo\n", stderr: "warn ✓", peakMemoryBytes: 123_456 });
  });

  it("keeps times to a tenth of a millisecond", () => {
    const stage = toStage(outcome({ wallMs: 12.34, cpuMs: 7.06 }), "run", context);
    expect(stage.wallMs).toBeCloseTo(12.3, 5);
    expect(stage.cpuMs).toBeCloseTo(7.1, 5);
  });
});

describe("describeFailure", () => {
  it("says the time limit that was hit, then stderr", () => {
    const message = failure({ timedOut: true, exitCode: null, signal: 9, stderr: Buffer.from("still going") });
    expect(message).toMatch(/^TimeLimitExceeded: /);
    expect(message).toContain("2500 ms");
    expect(message).toContain("still going");
  });

  it("says which stream passed the output limit, and the limit", () => {
    const stdout = failure({ outputExceeded: true, stdout: Buffer.alloc(1024), stdoutBytes: 5000, exitCode: null, signal: 9 });
    expect(stdout).toMatch(/^OutputLimitExceeded: /);
    expect(stdout).toContain("1024 bytes to stdout");
    expect(stdout).toContain("the first 1024 bytes are kept");
    const stderr = failure({ outputExceeded: true, stderrBytes: 5000, exitCode: null, signal: 9 });
    expect(stderr).toContain("1024 bytes to stderr");
  });

  it("says the memory limit that was hit", () => {
    const message = failure({ oomKilled: true, exitCode: null, signal: 9 });
    expect(message).toMatch(/^MemoryLimitExceeded: /);
    expect(message).toContain("256 MB");
  });

  it("says a cancelled run was stopped on request", () => {
    expect(failure({ killed: true, exitCode: null, signal: 9 })).toMatch(/^Cancelled: .*stopped on request/);
  });

  it("gives a runtime error's exit code and stderr, but not its stdout", () => {
    const message = failure({ exitCode: 3, stdout: Buffer.from("partial output"), stderr: Buffer.from("Traceback: boom") });
    expect(message).toMatch(/^RuntimeError: .*exited with code 3\nTraceback: boom$/);
    expect(message).not.toContain("partial output");
  });

  it("names the signal that killed the program", () => {
    expect(failure({ exitCode: null, signal: 11 })).toBe("RuntimeError: the program was killed by SIGSEGV");
  });

  it("gives a compile error's stdout and stderr, where compilers write diagnostics", () => {
    const message = failure({ exitCode: 2, stdout: Buffer.from("main.ts(1,1): error TS2304"), stderr: Buffer.from("note: x") }, "compile");
    expect(message).toMatch(/^CompilationError: compilation failed \(exit code 2\)\n/);
    expect(message).toContain("main.ts(1,1): error TS2304");
    expect(message).toContain("note: x");
  });

  it("says a program that could not be found was not found", () => {
    const message = failure({ exitCode: null, spawnError: { step: "exec", message: "No such file or directory", errno: 2 } });
    expect(message).toMatch(/^RuntimeError: /);
    expect(message).toContain('"python3" was not found');
  });

  it("says a program that could not start for another reason could not start", () => {
    const message = failure({ exitCode: null, spawnError: { step: "exec", message: "Permission denied", errno: 13 } });
    expect(message).toContain('cannot start "python3": Permission denied');
    expect(message).not.toContain("not found");
  });

  it("names the working directory it could not enter", () => {
    const message = failure({ exitCode: null, spawnError: { step: "chdir", message: "No such file or directory", errno: 2 } });
    expect(message).toContain("/workspace/src");
  });

  it("keeps the end of a very long stderr", () => {
    const stderr = `START${"x".repeat(20_000)}END`;
    const message = failure({ exitCode: 1, stderr: Buffer.from(stderr) });
    expect(message).toContain("END");
    expect(message).not.toContain("START");
    expect(message.length).toBeLessThan(stderr.length);
  });

  it("ends at the cause when the program said nothing", () => {
    const message = failure({ exitCode: 1, stderr: Buffer.from("  \n") });
    expect(message).toMatch(/^RuntimeError: .*exited with code 1$/);
    expect(message).not.toContain("\n");
  });
});

describe("signal names", () => {
  it("uses the usual name where two share a number", () => {
    expect(signalName(6)).toBe("SIGABRT");
    expect(signalName(29)).toBe("SIGIO");
    expect(signalName(9)).toBe("SIGKILL");
    expect(signalName(null)).toBeNull();
  });
});
