import { describe, expect, it } from "vitest";
import { timeoutMs, workspaceId } from "../../host/mcp/arguments";
import { listingText } from "../../host/mcp/file-tools";
import { runLine } from "../../host/mcp/history-tools";
import { commandFailure, errorResult, RunOutput, runOutput, runResult } from "../../host/mcp/results";
import { invalidParams } from "../../contract/protocol/errors";
import type { HistoryRun } from "../../contract/protocol/history";
import { readRun } from "../../contract/protocol/run-reading";
import type { SessionExecuteResult } from "../../contract/protocol/session";

const stage = {
  signal: null,
  stdoutTruncated: false,
  stderrTruncated: false,
  wallMs: 23.5,
  cpuMs: 17.4,
  peakMemoryBytes: 7.5 * 1024 * 1024,
  warm: false,
};

const crashed: SessionExecuteResult = {
  success: false,
  result: "",
  error: "RuntimeError: the program exited with code 1\nTraceback …",
  durationMs: 30,
  status: "RuntimeError",
  errorCode: null,
  exitCode: 1,
  stdout: "before\n",
  stderr: "Traceback (most recent call last):\nZeroDivisionError: division by zero\n",
  metrics: { wallMs: 23.5, cpuMs: 17.4, peakMemoryBytes: 7.5 * 1024 * 1024 },
  stages: { run: { ...stage, status: "RuntimeError", exitCode: 1, stdout: "before\n", stderr: "" } },
  diagnostics: [
    { path: "main.py", line: 2, column: 5, severity: "warning", message: "unused", code: "W1", related: [] },
    { path: "main.py", line: 3, column: 7, severity: "error", message: "division by zero", code: "ZeroDivisionError", related: [] },
  ],
  errorType: "ZeroDivisionError",
};

describe("MCP tool results", () => {
  it("takes a run's place of failure from its first error, not its first diagnostic", () => {
    const output = runOutput(crashed, readRun(crashed));
    expect(output).toMatchObject({
      status: "RuntimeError",
      exitCode: 1,
      error: "RuntimeError: the program exited with code 1",
      errorType: "ZeroDivisionError",
      location: { path: "main.py", line: 3, column: 7 },
    });
    expect(RunOutput.safeParse(output).success).toBe(true); // what the outputSchema promises clients
  });

  it("says a failed run in text: output, stderr apart, the CLI's summary line, the place, the notes", () => {
    const reading = readRun(crashed);
    const result = runResult(crashed, reading, runOutput(crashed, reading), ["history: main.py v2"]);
    expect(result.isError).toBe(true);
    expect(result.content).toEqual([
      {
        type: "text",
        text: [
          "before",
          "[stderr]",
          "Traceback (most recent call last):",
          "ZeroDivisionError: division by zero",
          "── RuntimeError · exit 1 · wall 23.5 ms · CPU 17.4 ms · peak memory 7.5 MB",
          "RuntimeError: the program exited with code 1",
          "ZeroDivisionError at main.py line 3, column 7",
          "history: main.py v2",
        ].join("\n"),
      },
    ]);
  });

  it("says a silent success and a cut output", () => {
    const quiet = {
      ...crashed,
      success: true,
      status: "Success" as const,
      exitCode: 0,
      error: null,
      stdout: "",
      stderr: "",
      diagnostics: [],
      errorType: null,
    };
    const cut = {
      ...quiet,
      stages: { run: { ...stage, status: "Success" as const, exitCode: 0, stdout: "", stderr: "", stdoutTruncated: true } },
    };
    const said = (answer: SessionExecuteResult) => runResult(answer, readRun(answer), runOutput(answer, readRun(answer)));
    expect(said(quiet).isError).toBe(false);
    expect((said(quiet).content[0] as { text: string }).text).toMatch(/^\(no output\)\n── Success · exit 0/);
    expect((said(cut).content[0] as { text: string }).text).toMatch(/\n\(output truncated: only its head was kept\)$/);
  });

  it("passes the host's error messages through, and marks other errors as internal", () => {
    expect(errorResult(invalidParams('command.path: path "../x" resolves to /x, outside /workspace'))).toEqual({
      content: [{ type: "text", text: 'Invalid params: command.path: path "../x" resolves to /x, outside /workspace' }],
      isError: true,
    });
    expect(errorResult(new TypeError("boom"))).toMatchObject({ content: [{ text: "Internal error: boom" }], isError: true });
    const notFound = { ...crashed, status: "FileError" as const, errorCode: "NotFound" as const, error: "File not found: /workspace/a" };
    expect(commandFailure(notFound)).toEqual({
      content: [{ type: "text", text: "File not found: /workspace/a (NotFound)" }],
      isError: true,
    });
  });

  it("lists a folder one entry a line", () => {
    const entry = { modifiedAt: "2026-01-01T00:00:00Z" };
    const listing = {
      path: "/workspace",
      count: 3,
      entries: [
        { ...entry, name: "data", path: "/workspace/data", type: "directory" as const, size: 4096 },
        { ...entry, name: "main.py", path: "/workspace/main.py", type: "file" as const, size: 14 },
        { ...entry, name: "link", path: "/workspace/link", type: "symlink" as const, size: 3 },
      ],
    };
    expect(listingText(listing)).toBe("/workspace:\ndata/\nmain.py  14 bytes\nlink (symbolic link)");
    expect(listingText({ path: "/workspace/empty", count: 0, entries: [] })).toBe("/workspace/empty is empty.");
  });

  it("shows a run of the history on one line", () => {
    const run: HistoryRun = {
      id: "r1",
      workspace: "w",
      path: "main.py",
      version: 2,
      at: "2026-11-23T12:00:00.000Z",
      language: "python",
      sessionId: "s1",
      status: "RuntimeError",
      exitCode: 1,
      metrics: null,
      error: "RuntimeError: the program exited with code 1",
      location: { path: "main.py", line: 3, column: 7 },
      errorType: "ZeroDivisionError",
      stdoutHead: "",
      stderrHead: "",
      files: [],
    };
    expect(runLine(run)).toBe(
      "v2 main.py RuntimeError exit 1 · ZeroDivisionError at main.py:3:7 · 2026-11-23T12:00:00.000Z · python · id r1",
    );
    expect(runLine({ ...run, location: null, exitCode: null, status: "TimeLimitExceeded", error: "TimeLimitExceeded: 1 s" })).toBe(
      "v2 main.py TimeLimitExceeded · TimeLimitExceeded: 1 s · 2026-11-23T12:00:00.000Z · python · id r1",
    );
  });

  it("turns seconds into the host's milliseconds, and a folder into the history id the editor gives it", () => {
    expect(timeoutMs(undefined)).toBeUndefined();
    expect(timeoutMs(1.5)).toBe(1500);
    expect(timeoutMs(0.0001)).toBe(1);
    expect(workspaceId("/home/ada/proj/")).toBe("file:///home/ada/proj");
    // Encoded as VS Code's Uri.toString() does, where encodeURIComponent or a file URL would differ.
    expect(workspaceId("/home/ada/my project (v2)+@x!")).toBe("file:///home/ada/my%20project%20%28v2%29%2B%40x%21");
    expect(workspaceId("/home/ada/café~1")).toBe("file:///home/ada/caf%C3%A9~1");
  });
});
