import { describe, expect, it } from "vitest";
import { diagnose } from "../fixtures/diagnostics/fixtures";

describe("tsc diagnostics", () => {
  it("reads an error with its column", () => {
    expect(diagnose("typescript", "type-error")).toEqual([
      {
        path: "main.ts",
        line: 1,
        column: 7,
        severity: "error",
        message: "Type 'string' is not assignable to type 'number'.",
        code: "TS2322",
        related: [],
      },
    ]);
  });

  it("keeps several errors in the order printed", () => {
    expect(diagnose("typescript", "several-errors")).toEqual([
      {
        path: "main.ts",
        line: 5,
        column: 7,
        severity: "error",
        message: "Type 'string' is not assignable to type 'number'.",
        code: "TS2322",
        related: [],
      },
      {
        path: "main.ts",
        line: 6,
        column: 7,
        severity: "error",
        message: "Argument of type 'number' is not assignable to parameter of type 'string'.",
        code: "TS2345",
        related: [],
      },
      {
        path: "main.ts",
        line: 7,
        column: 13,
        severity: "error",
        message: "Cannot find name 'undefinedName'. Did you mean 'undefined'?",
        code: "TS2552",
        related: [],
      },
    ]);
  });

  it("puts an error in an imported file in that file", () => {
    expect(diagnose("typescript", "second-file")).toEqual([
      {
        path: "util.ts",
        line: 5,
        column: 14,
        severity: "error",
        message: "Type 'number' is not assignable to type 'string'.",
        code: "TS2322",
        related: [],
      },
    ]);
  });

  it("keeps the first line of a message that goes on over indented lines", () => {
    expect(diagnose("typescript", "chained-message")).toEqual([
      {
        path: "main.ts",
        line: 1,
        column: 7,
        severity: "error",
        message: "Type '(value: string) => string' is not assignable to type '(value: number) => string'.",
        code: "TS2322",
        related: [],
      },
    ]);
  });

  it("reads the run stage as Node's, at the .ts lines source maps give", () => {
    expect(diagnose("typescript", "runtime-with-source-maps")).toEqual([
      {
        path: "main.ts",
        line: 6,
        column: 19,
        severity: "error",
        message: "Cannot read properties of undefined (reading 'name')",
        code: "TypeError",
        related: [{ path: "main.ts", line: 9, column: 13, message: "in Object.<anonymous>" }],
      },
    ]);
  });

  it("finds nothing in a run without source maps: its frames are in the build directory, outside /workspace", () => {
    expect(diagnose("typescript", "runtime-without-source-maps")).toEqual([]);
  });
});

describe("typescript diagnostics of a file in a folder", () => {
  it("puts a type error on that file: tsc prints main.ts(1,7), relative to the folder it ran in", () => {
    expect(diagnose("typescript", "in-a-folder")).toEqual([
      {
        path: "app/main.ts",
        line: 1,
        column: 7,
        severity: "error",
        code: "TS2322",
        message: "Type 'string' is not assignable to type 'number'.",
        related: [],
      },
    ]);
  });

  it("puts a run-time error on that file, through the source map", () => {
    expect(diagnose("typescript", "in-a-folder-at-run-time")).toEqual([
      {
        path: "app/main.ts",
        line: 2,
        column: 22,
        severity: "error",
        message: "divide by zero",
        code: "RangeError",
        related: [{ path: "app/main.ts", line: 6, column: 13, message: "in Object.<anonymous>" }],
      },
    ]);
  });
});
