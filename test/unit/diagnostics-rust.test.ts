import { describe, expect, it } from "vitest";
import { parseDiagnostics } from "../../host/diagnostics";
import { diagnose } from "../fixtures/diagnostics/fixtures";

describe("rust diagnostics", () => {
  it("reads an error's location and the range of its ^^^ markers", () => {
    expect(diagnose("rust", "compile-error")).toEqual([
      {
        path: "main.rs",
        line: 2,
        column: 22,
        endLine: 2,
        endColumn: 29,
        severity: "error",
        message: "mismatched types",
        code: "E0308",
        related: [],
      },
    ]);
  });

  it("keeps several errors in the order printed, and leaves the summary lines out", () => {
    expect(diagnose("rust", "several-errors")).toEqual([
      {
        path: "main.rs",
        line: 3,
        column: 20,
        endLine: 3,
        endColumn: 27,
        severity: "error",
        message: "cannot find value `missing` in this scope",
        code: "E0425",
        related: [],
      },
      {
        path: "main.rs",
        line: 2,
        column: 21,
        endLine: 2,
        endColumn: 22,
        severity: "error",
        message: "mismatched types",
        code: "E0308",
        related: [],
      },
    ]);
  });

  it("does not take a help's suggestion for a diagnostic", () => {
    expect(diagnose("rust", "warning-and-error")).toEqual([
      {
        path: "main.rs",
        line: 7,
        column: 21,
        endLine: 7,
        endColumn: 29,
        severity: "error",
        message: "mismatched types",
        code: "E0308",
        related: [],
      },
    ]);
  });

  it("keeps warnings; a span whose start a label's dashes draw over still ends with its carets", () => {
    expect(diagnose("rust", "warning")).toEqual([
      {
        path: "main.rs",
        line: 2,
        column: 9,
        endLine: 2,
        endColumn: 15,
        severity: "warning",
        message: "unused variable: `unused`",
        code: "rustc",
        related: [],
      },
      {
        path: "main.rs",
        line: 3,
        column: 9,
        endLine: 3,
        endColumn: 18,
        severity: "warning",
        message: "variable does not need to be mutable",
        code: "rustc",
        related: [],
      },
    ]);
  });

  it("reads a panic in rustc 1.63's format", () => {
    expect(diagnose("rust", "nested-call")).toEqual([
      {
        path: "main.rs",
        line: 2,
        column: 5,
        severity: "error",
        message: "attempt to divide by zero",
        code: "panic",
        related: [],
      },
    ]);
    expect(diagnose("rust", "second-file")).toEqual([
      {
        path: "util.rs",
        line: 2,
        column: 5,
        severity: "error",
        message: "index out of bounds: the len is 2 but the index is 2",
        code: "panic",
        related: [],
      },
    ]);
  });

  it("reads a panic in the newer format, with the message on the lines after", () => {
    const stderr = [
      "thread 'main' panicked at main.rs:3:13:",
      "attempt to divide by zero",
      "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
    ].join("\n");
    expect(parseDiagnostics("rust", { stage: "run", cwd: "/workspace", stdout: "", stderr })).toEqual([
      {
        path: "main.rs",
        line: 3,
        column: 13,
        severity: "error",
        message: "attempt to divide by zero",
        code: "panic",
        related: [],
      },
    ]);
  });

  it("reads an old-format panic whose quoted message runs over lines, and a backtrace's user frames", () => {
    const stderr = [
      "thread 'main' panicked at 'assertion failed: `(left == right)`",
      "  left: `1`,",
      " right: `2`', /workspace/main.rs:6:5",
      "stack backtrace:",
      "   0: std::panicking::begin_panic_handler",
      "             at /rustc/abc/library/std/src/panicking.rs:584:5",
      "   1: main::check",
      "             at ./main.rs:6:5",
      "   2: main::main",
      "             at ./main.rs:10:5",
    ].join("\n");
    expect(parseDiagnostics("rust", { stage: "run", cwd: "/workspace", stdout: "", stderr })).toEqual([
      {
        path: "main.rs",
        line: 6,
        column: 5,
        severity: "error",
        message: "assertion failed: `(left == right)` left: `1`, right: `2`",
        code: "panic",
        related: [{ path: "main.rs", line: 10, column: 5, message: "in main::main" }],
      },
    ]);
  });
});

describe("rust diagnostics of a file in a folder", () => {
  it("puts a compile error on that file, with its span", () => {
    expect(diagnose("rust", "in-a-folder")).toEqual([
      {
        path: "app/main.rs",
        line: 2,
        column: 22,
        endLine: 2,
        endColumn: 29,
        severity: "error",
        message: "mismatched types",
        code: "E0308",
        related: [],
      },
    ]);
  });

  it("puts a panic on that file", () => {
    expect(diagnose("rust", "in-a-folder-panic")).toEqual([
      { path: "app/main.rs", line: 3, column: 9, severity: "error", message: "divide by zero", code: "panic", related: [] },
    ]);
  });
});
