import { describe, expect, it } from "vitest";
import { parseDiagnostics } from "../../host/diagnostics";
import { diagnose } from "../fixtures/diagnostics/fixtures";

describe("go diagnostics", () => {
  it("puts a panic at the innermost frame, with its callers (inlined ones too) as related", () => {
    expect(diagnose("go", "nested-call")).toEqual([
      {
        path: "main.go",
        line: 6,
        column: 1,
        severity: "error",
        message: "runtime error: integer divide by zero",
        code: "panic",
        related: [
          { path: "main.go", line: 18, column: 1, message: "in main.main" },
          { path: "main.go", line: 14, column: 1, message: "in main.average" },
        ],
      },
    ]);
  });

  it("puts a panic in another package in that package's file", () => {
    expect(diagnose("go", "second-file-panic")).toEqual([
      {
        path: "mathx/mathx.go",
        line: 4,
        column: 1,
        severity: "error",
        message: "runtime error: index out of range [2] with length 2",
        code: "panic",
        related: [{ path: "main.go", line: 10, column: 1, message: "in main.main" }],
      },
    ]);
  });

  it("reads a compile error with its column, past the `# command-line-arguments` header", () => {
    expect(diagnose("go", "compile-error")).toEqual([
      {
        path: "main.go",
        line: 6,
        column: 18,
        severity: "error",
        message: 'cannot use "three" (untyped string constant) as int value in variable declaration',
        code: "compile",
        related: [],
      },
    ]);
  });

  it("keeps several compile errors in the order printed", () => {
    expect(diagnose("go", "several-errors")).toEqual([
      {
        path: "main.go",
        line: 5,
        column: 2,
        severity: "error",
        message: 'imported and not used: "os"',
        code: "compile",
        related: [],
      },
      {
        path: "main.go",
        line: 9,
        column: 14,
        severity: "error",
        message: "undefined: y",
        code: "compile",
        related: [],
      },
      {
        path: "main.go",
        line: 10,
        column: 17,
        severity: "error",
        message: "cannot use 5 (untyped int constant) as string value in variable declaration",
        code: "compile",
        related: [],
      },
    ]);
  });

  it("reads a compile error in another package, relative to /workspace", () => {
    expect(diagnose("go", "second-file-compile")).toEqual([
      {
        path: "mathx/mathx.go",
        line: 4,
        column: 9,
        severity: "error",
        message: "cannot use value * 2 (value of type int) as type string in return statement",
        code: "compile",
        related: [],
      },
    ]);
  });

  it("skips the runtime's frames of a re-panic and keeps the user's", () => {
    const stderr = [
      "panic: boom [recovered]",
      "\tpanic: boom",
      "",
      "goroutine 1 [running]:",
      "main.main.func1()",
      "\t/workspace/main.go:7 +0x45",
      "panic({0x4a0f00, 0x4db5f8})",
      "\t/usr/lib/go-1.19/src/runtime/panic.go:884 +0x212",
      "main.run(...)",
      "\t/workspace/main.go:12",
      "main.main()",
      "\t/workspace/main.go:16 +0x32",
      "",
      "goroutine 6 [chan receive]:",
      "main.worker()",
      "\t/workspace/main.go:20 +0x1f",
    ].join("\n");
    expect(parseDiagnostics("go", { stage: "run", cwd: "/workspace", stdout: "", stderr })).toEqual([
      {
        path: "main.go",
        line: 7,
        column: 1,
        severity: "error",
        message: "boom",
        code: "panic",
        related: [
          { path: "main.go", line: 16, column: 1, message: "in main.main" },
          { path: "main.go", line: 12, column: 1, message: "in main.run" },
        ],
      },
    ]);
  });

  it("gives column 1 to a compile error without one", () => {
    const stderr = "# command-line-arguments\n./main.go:3: syntax error: unexpected newline\n";
    expect(parseDiagnostics("go", { stage: "compile", cwd: "/workspace", stdout: "", stderr })).toEqual([
      {
        path: "main.go",
        line: 3,
        column: 1,
        severity: "error",
        message: "syntax error: unexpected newline",
        code: "compile",
        related: [],
      },
    ]);
  });
});

describe("go diagnostics of a file in a folder", () => {
  it("puts a compile error on that file: go prints ./main.go, relative to the folder it ran in", () => {
    expect(diagnose("go", "in-a-folder")).toEqual([
      { path: "app/main.go", line: 6, column: 14, severity: "error", message: "undefined: undefinedName", code: "compile", related: [] },
    ]);
  });

  it("puts a panic on that file", () => {
    expect(diagnose("go", "in-a-folder-panic")).toEqual([
      {
        path: "app/main.go",
        line: 6,
        column: 1,
        severity: "error",
        message: "runtime error: integer divide by zero",
        code: "panic",
        related: [{ path: "app/main.go", line: 10, column: 1, message: "in main.main" }],
      },
    ]);
  });
});
