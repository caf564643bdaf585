import { describe, expect, it } from "vitest";
import { parseDiagnostics } from "../../host/diagnostics";
import { diagnose } from "../fixtures/diagnostics/fixtures";

describe("java diagnostics", () => {
  it("puts an uncaught exception at the innermost frame, with its callers as related", () => {
    expect(diagnose("java", "nested-call")).toEqual([
      {
        path: "Main.java",
        line: 3,
        column: 1,
        severity: "error",
        message: "/ by zero",
        code: "java.lang.ArithmeticException",
        related: [
          { path: "Main.java", line: 13, column: 1, message: "in Main.main" },
          { path: "Main.java", line: 9, column: 1, message: "in Main.average" },
        ],
      },
    ]);
  });

  it("finds a packaged class's file in its package's folder", () => {
    expect(diagnose("java", "second-file")).toEqual([
      {
        path: "shapes/Circle.java",
        line: 8,
        column: 1,
        severity: "error",
        message: "negative radius: -1.0",
        code: "java.lang.IllegalArgumentException",
        related: [{ path: "Main.java", line: 5, column: 1, message: "in Main.main" }],
      },
    ]);
  });

  it("skips the JDK's frames (java.base/…) and stops at the user's", () => {
    expect(diagnose("java", "standard-library")).toEqual([
      {
        path: "Main.java",
        line: 3,
        column: 1,
        severity: "error",
        message: 'For input string: "eighty"',
        code: "java.lang.NumberFormatException",
        related: [{ path: "Main.java", line: 7, column: 1, message: "in Main.main" }],
      },
    ]);
  });

  it("takes javac's column from the caret under the source line", () => {
    expect(diagnose("java", "compile-error")).toEqual([
      {
        path: "Main.java",
        line: 3,
        column: 21,
        severity: "error",
        message: "incompatible types: String cannot be converted to int",
        code: "javac",
        related: [],
      },
    ]);
  });

  it("keeps errors and warnings in the order printed; a lint warning's code is its category", () => {
    expect(diagnose("java", "several-errors")).toEqual([
      {
        path: "Main.java",
        line: 3,
        column: 25,
        severity: "warning",
        message: "Integer(int) in Integer has been deprecated and marked for removal",
        code: "removal",
        related: [],
      },
      {
        path: "Main.java",
        line: 4,
        column: 20,
        severity: "error",
        message: "incompatible types: Integer cannot be converted to String",
        code: "javac",
        related: [],
      },
      {
        path: "Main.java",
        line: 5,
        column: 28,
        severity: "error",
        message: "cannot find symbol",
        code: "javac",
        related: [],
      },
    ]);
  });

  it("reads an error in another file of the source path", () => {
    expect(diagnose("java", "second-file-compile")).toEqual([
      {
        path: "shapes/Square.java",
        line: 5,
        column: 28,
        severity: "error",
        message: "incompatible types: possible lossy conversion from double to int",
        code: "javac",
        related: [],
      },
    ]);
  });

  it("reads frames of nested classes and lambdas, and of the app class loader, and stops at `Caused by:`", () => {
    const stderr = [
      'Exception in thread "main" java.lang.IllegalStateException: wrapped',
      "\tat app//util.Jobs$Runner.lambda$run$0(Jobs.java:12)",
      "\tat java.base/java.util.ArrayList.forEach(ArrayList.java:1511)",
      "\tat Main.main(Main.java:4)",
      "Caused by: java.lang.ArithmeticException: / by zero",
      "\tat Main.divide(Main.java:9)",
      "\t... 1 more",
    ].join("\n");
    expect(parseDiagnostics("java", { stage: "run", cwd: "/workspace", stdout: "", stderr })).toEqual([
      {
        path: "util/Jobs.java",
        line: 12,
        column: 1,
        severity: "error",
        message: "wrapped",
        code: "java.lang.IllegalStateException",
        related: [{ path: "Main.java", line: 4, column: 1, message: "in Main.main" }],
      },
    ]);
  });
});

describe("java diagnostics of a file in a folder", () => {
  it("puts a compile error on that file", () => {
    expect(diagnose("java", "in-a-folder")).toEqual([
      {
        path: "app/Main.java",
        line: 3,
        column: 21,
        severity: "error",
        message: "incompatible types: String cannot be converted to int",
        code: "javac",
        related: [],
      },
    ]);
  });

  it("puts an uncaught exception on that file: a frame names Main.java, from the -sourcepath javac ran with", () => {
    expect(diagnose("java", "in-a-folder-at-run-time")).toEqual([
      {
        path: "app/Main.java",
        line: 3,
        column: 1,
        severity: "error",
        message: "/ by zero",
        code: "java.lang.ArithmeticException",
        related: [{ path: "app/Main.java", line: 7, column: 1, message: "in Main.main" }],
      },
    ]);
  });
});
