import { describe, expect, it } from "vitest";
import { parseDiagnostics } from "../../host/diagnostics";
import { diagnose } from "../fixtures/diagnostics/fixtures";

describe("deno diagnostics", () => {
  it("reads a denied permission (Deno 2's NotCapable) as PermissionDenied at the user's call", () => {
    expect(diagnose("deno", "permission-denied")).toEqual([
      {
        path: "main.ts",
        line: 1,
        column: 24,
        severity: "error",
        message: 'Requires net access to "example.com:443", run again with the --allow-net flag',
        code: "PermissionDenied",
        related: [],
      },
    ]);
  });

  it("reads Deno 1's PermissionDenied the same way", () => {
    const stderr = [
      'error: Uncaught PermissionDenied: Requires net access to "example.com", run again with the --allow-net flag',
      "    at opFetch (deno:ext/fetch/26_fetch.js:43:17)",
      "    at file:///workspace/main.ts:1:24",
    ].join("\n");
    expect(parseDiagnostics("deno", { stage: "run", cwd: "/workspace", stdout: "", stderr })).toEqual([
      {
        path: "main.ts",
        line: 1,
        column: 24,
        severity: "error",
        message: 'Requires net access to "example.com", run again with the --allow-net flag',
        code: "PermissionDenied",
        related: [],
      },
    ]);
  });

  it("puts an uncaught error at the innermost frame, with its callers as related", () => {
    expect(diagnose("deno", "nested-call")).toEqual([
      {
        path: "main.ts",
        line: 4,
        column: 11,
        severity: "error",
        message: "not a number: two",
        code: "Error",
        related: [
          { path: "main.ts", line: 13, column: 13, message: "called from here" },
          { path: "main.ts", line: 10, column: 16, message: "in total" },
        ],
      },
    ]);
  });

  it("puts an error thrown in an imported module in that module's file", () => {
    expect(diagnose("deno", "second-file")).toEqual([
      {
        path: "util.ts",
        line: 3,
        column: 11,
        severity: "error",
        message: "missing setting PORT",
        code: "TypeError",
        related: [{ path: "main.ts", line: 4, column: 13, message: "called from here" }],
      },
    ]);
  });

  it("reads a parse error with the range of its ~ markers", () => {
    expect(diagnose("deno", "parse-error")).toEqual([
      {
        path: "main.ts",
        line: 2,
        column: 11,
        endLine: 2,
        endColumn: 12,
        severity: "error",
        message: "Expected a semicolon",
        code: "SyntaxError",
        related: [],
      },
    ]);
  });

  it("reads Deno 1's parse error, whose location ends its first line", () => {
    const stderr = [
      "error: The module's source code could not be parsed: Expected ';', got 'x' at file:///workspace/main.ts:2:11",
      "",
      "  let y = x x;",
      "            ~",
    ].join("\n");
    expect(parseDiagnostics("deno", { stage: "run", cwd: "/workspace", stdout: "", stderr })).toEqual([
      {
        path: "main.ts",
        line: 2,
        column: 11,
        endLine: 2,
        endColumn: 12,
        severity: "error",
        message: "Expected ';', got 'x'",
        code: "SyntaxError",
        related: [],
      },
    ]);
  });

  it("reads deno check's type errors with the range of their ~~~ markers", () => {
    expect(diagnose("deno", "type-check")).toEqual([
      {
        path: "main.ts",
        line: 1,
        column: 7,
        endLine: 1,
        endColumn: 12,
        severity: "error",
        message: "Type 'string' is not assignable to type 'number'.",
        code: "TS2322",
        related: [],
      },
      {
        path: "main.ts",
        line: 5,
        column: 26,
        endLine: 5,
        endColumn: 28,
        severity: "error",
        message: "Argument of type 'number' is not assignable to parameter of type 'string'.",
        code: "TS2345",
        related: [],
      },
    ]);
  });

  it("reads another error that names its location below, like a missing module", () => {
    const stderr = 'error: Module not found "file:///workspace/nope.ts".\n    at file:///workspace/main.ts:1:22\n';
    expect(parseDiagnostics("deno", { stage: "run", cwd: "/workspace", stdout: "", stderr })).toEqual([
      {
        path: "main.ts",
        line: 1,
        column: 22,
        severity: "error",
        message: 'Module not found "file:///workspace/nope.ts".',
        code: "error",
        related: [],
      },
    ]);
  });
});

describe("deno diagnostics of a file in a folder", () => {
  it("puts an uncaught error on that file", () => {
    expect(diagnose("deno", "in-a-folder")).toEqual([
      {
        path: "app/main.ts",
        line: 2,
        column: 22,
        severity: "error",
        message: "divide by zero",
        code: "RangeError",
        related: [{ path: "app/main.ts", line: 6, column: 13, message: "called from here" }],
      },
    ]);
  });
});
