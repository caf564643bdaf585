import { describe, expect, it } from "vitest";
import { parseDiagnostics } from "../../host/diagnostics";
import { diagnose, readOutput } from "../fixtures/diagnostics/fixtures";

describe("node diagnostics", () => {
  it("puts a runtime error at the innermost frame, with its callers as related", () => {
    expect(diagnose("javascript", "nested-call")).toEqual([
      {
        path: "main.js",
        line: 2,
        column: 32,
        severity: "error",
        message: "Cannot read properties of undefined (reading 'trim')",
        code: "TypeError",
        related: [
          { path: "main.js", line: 9, column: 13, message: "in Object.<anonymous>" },
          { path: "main.js", line: 6, column: 10, message: "in load" },
        ],
      },
    ]);
  });

  it("puts an error thrown in a required module in that module's file", () => {
    expect(diagnose("javascript", "second-file")).toEqual([
      {
        path: "util.js",
        line: 3,
        column: 11,
        severity: "error",
        message: "age must not be negative: -1",
        code: "RangeError",
        related: [
          { path: "main.js", line: 7, column: 13, message: "in Object.<anonymous>" },
          { path: "main.js", line: 4, column: 23, message: "in register" },
        ],
      },
    ]);
  });

  it("follows an unhandled rejection through `at async` frames", () => {
    expect(diagnose("javascript", "async-rejection")).toEqual([
      {
        path: "main.js",
        line: 3,
        column: 9,
        severity: "error",
        message: "no user 7",
        code: "Error",
        related: [{ path: "main.js", line: 7, column: 16, message: "in async main" }],
      },
    ]);
  });

  it("takes a SyntaxError's location from the header line and its caret", () => {
    expect(diagnose("javascript", "syntax-error")).toEqual([
      {
        path: "main.js",
        line: 3,
        column: 14,
        endLine: 3,
        endColumn: 15,
        severity: "error",
        message: "Unexpected token '*'",
        code: "SyntaxError",
        related: [],
      },
    ]);
  });

  it("stops at the user's frame when a built-in (JSON.parse) throws", () => {
    expect(diagnose("javascript", "standard-library")).toEqual([
      {
        path: "main.js",
        line: 2,
        column: 15,
        severity: "error",
        message: "Unexpected end of JSON input",
        code: "SyntaxError",
        related: [{ path: "main.js", line: 5, column: 1, message: "in Object.<anonymous>" }],
      },
    ]);
  });

  it("places a thrown value that is not an Error by the caret, as it has no stack", () => {
    expect(diagnose("javascript", "throw-value")).toEqual([
      {
        path: "main.js",
        line: 2,
        column: 3,
        endLine: 2,
        endColumn: 4,
        severity: "error",
        message: "plain text",
        code: "Uncaught",
        related: [],
      },
    ]);
  });

  it("makes nothing of frames outside /workspace", () => {
    const output = readOutput("javascript", "second-file");
    const elsewhere = { ...output, stderr: output.stderr.replaceAll("/workspace/", "/usr/lib/node_modules/x/") };
    expect(parseDiagnostics("node", elsewhere)).toEqual([]);
  });

  it("reads ES module frames, given as file:// URLs", () => {
    const stderr = [
      "file:///workspace/main.mjs:2",
      '  throw new Error("boom");',
      "        ^",
      "",
      "Error: boom",
      "    at fail (file:///workspace/main.mjs:2:9)",
      "    at file:///workspace/main.mjs:5:1",
      "    at ModuleJob.run (node:internal/modules/esm/module_job:195:25)",
    ].join("\n");
    expect(parseDiagnostics("node", { stage: "run", cwd: "/workspace", stdout: "", stderr })).toEqual([
      {
        path: "main.mjs",
        line: 2,
        column: 9,
        severity: "error",
        message: "boom",
        code: "Error",
        related: [{ path: "main.mjs", line: 5, column: 1, message: "called from here" }],
      },
    ]);
  });
});

describe("javascript diagnostics of a file in a folder", () => {
  it("puts an uncaught error on that file", () => {
    expect(diagnose("javascript", "in-a-folder")).toEqual([
      {
        path: "app/main.js",
        line: 2,
        column: 21,
        severity: "error",
        message: "nme is not defined",
        code: "ReferenceError",
        related: [{ path: "app/main.js", line: 5, column: 13, message: "in Object.<anonymous>" }],
      },
    ]);
  });
});
