import { describe, expect, it } from "vitest";
import { parseDiagnostics } from "../../host/diagnostics";
import { diagnose } from "../fixtures/diagnostics/fixtures";

describe("csharp diagnostics", () => {
  it("reads mcs's error with its column", () => {
    expect(diagnose("csharp", "compile-error")).toEqual([
      {
        path: "Program.cs",
        line: 3,
        column: 21,
        severity: "error",
        message: "Cannot implicitly convert type `string' to `int'",
        code: "CS0029",
        related: [],
      },
    ]);
  });

  it("keeps several errors in the order printed", () => {
    expect(diagnose("csharp", "several-errors")).toEqual([
      {
        path: "Program.cs",
        line: 6,
        column: 20,
        severity: "error",
        message: "Cannot implicitly convert type `int' to `string'",
        code: "CS0029",
        related: [],
      },
      {
        path: "Program.cs",
        line: 7,
        column: 27,
        severity: "error",
        message: "The name `missing' does not exist in the current context",
        code: "CS0103",
        related: [],
      },
    ]);
  });

  it("keeps warnings, from a compilation that succeeded or not", () => {
    expect(diagnose("csharp", "warning")).toEqual([
      {
        path: "Program.cs",
        line: 5,
        column: 13,
        severity: "warning",
        message: "The variable `unused' is assigned but its value is never used",
        code: "CS0219",
        related: [],
      },
    ]);
    expect(diagnose("csharp", "warning-and-error")).toEqual([
      {
        path: "Program.cs",
        line: 10,
        column: 21,
        severity: "warning",
        message: "`Program.Plus(int, int)' is obsolete: `use Add instead'",
        code: "CS0618",
        related: [],
      },
      {
        path: "Program.cs",
        line: 11,
        column: 23,
        severity: "error",
        message: "Cannot implicitly convert type `int' to `string'",
        code: "CS0029",
        related: [],
      },
    ]);
  });

  it("reads Mono's unhandled exception, whose frames carry lines with -debug and --debug", () => {
    expect(diagnose("csharp", "second-class")).toEqual([
      {
        path: "Program.cs",
        line: 8,
        column: 1,
        severity: "error",
        message: "insufficient funds: balance 0, asked 10",
        code: "System.InvalidOperationException",
        related: [{ path: "Program.cs", line: 17, column: 1, message: "in Program.Main" }],
      },
    ]);
  });

  it("places a nested call's error where Mono's stack says: the caller's line when the JIT inlined the callee", () => {
    // Divide (line 5) is inlined into Average: Mono's innermost frame is Average's call to it, on line 11.
    expect(diagnose("csharp", "nested-call")).toEqual([
      {
        path: "Program.cs",
        line: 11,
        column: 1,
        severity: "error",
        message: "Attempted to divide by zero.",
        code: "System.DivideByZeroException",
        related: [{ path: "Program.cs", line: 15, column: 1, message: "in Program.Main" }],
      },
    ]);
  });

  it("finds no location in frames without debug information", () => {
    expect(diagnose("csharp", "nested-call-without-debug")).toEqual([]);
  });

  it("reads .NET's format too: `Unhandled exception.` and `:line N`", () => {
    const stderr = [
      "Unhandled exception. System.DivideByZeroException: Attempted to divide by zero.",
      "   at Program.Divide(Int32 a, Int32 b) in /workspace/Program.cs:line 5",
      "   at Program.Main() in /workspace/Program.cs:line 9",
    ].join("\n");
    expect(parseDiagnostics("csharp", { stage: "run", cwd: "/workspace", stdout: "", stderr })).toEqual([
      {
        path: "Program.cs",
        line: 5,
        column: 1,
        severity: "error",
        message: "Attempted to divide by zero.",
        code: "System.DivideByZeroException",
        related: [{ path: "Program.cs", line: 9, column: 1, message: "in Program.Main" }],
      },
    ]);
  });
});

describe("csharp diagnostics of a file in a folder", () => {
  it("puts a compile error on that file", () => {
    expect(diagnose("csharp", "in-a-folder")).toEqual([
      {
        path: "app/Program.cs",
        line: 3,
        column: 21,
        severity: "error",
        code: "CS0029",
        message: "Cannot implicitly convert type `string' to `int'",
        related: [],
      },
    ]);
  });

  it("puts an unhandled exception on that file", () => {
    expect(diagnose("csharp", "in-a-folder-at-run-time")).toEqual([
      {
        path: "app/Program.cs",
        line: 5,
        column: 1,
        severity: "error",
        message: "Attempted to divide by zero.",
        code: "System.DivideByZeroException",
        related: [{ path: "app/Program.cs", line: 9, column: 1, message: "in Program.Main" }],
      },
    ]);
  });
});
