import { describe, expect, it } from "vitest";
import { parseDiagnostics } from "../../host/diagnostics";
import { diagnose, readOutput } from "../fixtures/diagnostics/fixtures";

describe("python diagnostics", () => {
  it("puts a runtime error at the innermost frame, on the ~~^~~ markers, with its callers as related", () => {
    expect(diagnose("python", "nested-call")).toEqual([
      {
        path: "main.py",
        line: 2,
        column: 12,
        endLine: 2,
        endColumn: 17,
        severity: "error",
        message: "division by zero",
        code: "ZeroDivisionError",
        related: [
          { path: "main.py", line: 9, column: 7, message: "in <module>" },
          { path: "main.py", line: 6, column: 12, message: "in average" },
        ],
      },
    ]);
  });

  it("gives lines only without the sources: Python quotes lines without their indentation", () => {
    expect(diagnose("python", "nested-call", { withSources: false })).toEqual([
      {
        path: "main.py",
        line: 2,
        column: 1,
        severity: "error",
        message: "division by zero",
        code: "ZeroDivisionError",
        related: [
          { path: "main.py", line: 9, column: 1, message: "in <module>" },
          { path: "main.py", line: 6, column: 1, message: "in average" },
        ],
      },
    ]);
  });

  it("leaves the column out when the file no longer has the line Python quoted", () => {
    const output = readOutput("python", "nested-call");
    const edited = { "main.py": "def divide(a, b):\n    return b and a / b\n" };
    const [diagnostic] = parseDiagnostics("python", output, edited);
    expect(diagnostic).toMatchObject({ path: "main.py", line: 2, column: 1 });
    expect(diagnostic?.endColumn).toBeUndefined();
  });

  it("underlines a subscript in a method by its markers", () => {
    expect(diagnose("python", "subscript-in-method")).toEqual([
      {
        path: "main.py",
        line: 6,
        column: 20,
        endLine: 6,
        endColumn: 39,
        severity: "error",
        message: "'port'",
        code: "KeyError",
        related: [{ path: "main.py", line: 10, column: 7, message: "in <module>" }],
      },
    ]);
  });

  it("puts an error raised in an imported module in that module's file", () => {
    expect(diagnose("python", "second-file")).toEqual([
      {
        path: "util.py",
        line: 4,
        column: 1, // a raise that fills its line gets no markers
        severity: "error",
        message: "port out of range: 70000",
        code: "ValueError",
        related: [{ path: "main.py", line: 3, column: 7, message: "in <module>" }],
      },
    ]);
  });

  it("stops at the user's innermost frame when the error comes from the standard library", () => {
    expect(diagnose("python", "standard-library")).toEqual([
      {
        path: "main.py",
        line: 5,
        column: 12,
        endLine: 5,
        endColumn: 28,
        severity: "error",
        message: "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        code: "json.decoder.JSONDecodeError",
        related: [{ path: "main.py", line: 8, column: 12, message: "in <module>" }],
      },
    ]);
  });

  it("reports the last exception of a chain: the one that ended the program", () => {
    expect(diagnose("python", "chained")).toEqual([
      {
        path: "main.py",
        line: 5,
        column: 1,
        severity: "error",
        message: "bad count: many",
        code: "RuntimeError",
        related: [{ path: "main.py", line: 8, column: 1, message: "in <module>" }],
      },
    ]);
  });

  it("reads a SyntaxError's caret range", () => {
    expect(diagnose("python", "syntax-error")).toEqual([
      {
        path: "main.py",
        line: 2,
        column: 4,
        endLine: 2,
        endColumn: 9,
        severity: "error",
        message: "invalid syntax. Maybe you meant '==' or ':=' instead of '='?",
        code: "SyntaxError",
        related: [],
      },
    ]);
  });

  it("adds the indentation Python took off an indented SyntaxError's line", () => {
    expect(diagnose("python", "indented-syntax-error")).toEqual([
      {
        path: "main.py",
        line: 3,
        column: 32,
        endLine: 3,
        endColumn: 33,
        severity: "error",
        message: "unmatched ')'",
        code: "SyntaxError",
        related: [],
      },
    ]);
  });

  it("reads an IndentationError, which has no caret", () => {
    expect(diagnose("python", "indentation-error")).toEqual([
      {
        path: "main.py",
        line: 3,
        column: 1,
        severity: "error",
        message: "unexpected indent",
        code: "IndentationError",
        related: [],
      },
    ]);
  });

  it("keeps a warning printed before the error", () => {
    expect(diagnose("python", "warning-then-error")).toEqual([
      {
        path: "main.py",
        line: 3,
        column: 1,
        severity: "warning",
        message: "old API",
        code: "DeprecationWarning",
        related: [],
      },
      {
        path: "main.py",
        line: 4,
        column: 7,
        endLine: 4,
        endColumn: 21,
        severity: "error",
        message: "name 'undefined_name' is not defined",
        code: "NameError",
        related: [],
      },
    ]);
  });

  it("makes nothing of a traceback whose frames are all outside /workspace", () => {
    const output = readOutput("python", "standard-library");
    const elsewhere = { ...output, stderr: output.stderr.replaceAll("/workspace/", "/usr/lib/python3.11/") };
    expect(parseDiagnostics("python", elsewhere)).toEqual([]);
  });

  it("makes nothing of a traceback cut before its exception line", () => {
    const output = readOutput("python", "nested-call");
    const cut = output.stderr.slice(0, output.stderr.indexOf("ZeroDivisionError"));
    expect(parseDiagnostics("python", { ...output, stderr: cut })).toEqual([]);
  });

  it("reads only stderr: a traceback the program prints on stdout is its output", () => {
    const output = readOutput("python", "nested-call");
    expect(parseDiagnostics("python", { stage: "run", cwd: "/workspace", stdout: output.stderr, stderr: "" })).toEqual([]);
  });
});

describe("python diagnostics of a file in a folder", () => {
  it("puts a traceback on that file, with the columns its markers give", () => {
    expect(diagnose("python", "in-a-folder")).toEqual([
      {
        path: "app/main.py",
        line: 2,
        column: 23,
        endLine: 2,
        endColumn: 26,
        severity: "error",
        message: "name 'nme' is not defined. Did you mean: 'name'?",
        code: "NameError",
        related: [{ path: "app/main.py", line: 5, column: 7, message: "in <module>" }],
      },
    ]);
  });
});
