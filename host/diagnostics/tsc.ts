import { compilerLines } from "./compiler-lines";
import { parseNode } from "./node";
import type { Diagnostic, ToolOutput } from "./types";

/** `main.ts(1,7): error TS2322: message`, as `tsc --pretty false` prints it. */
const TSC_LINE = /^(.+)\((\d+),(\d+)\): (error|warning|message) (TS\d+): (.*)$/;

/**
 * tsc's errors (compile stage, on stdout); the program's own run is Node's. A message that goes on over indented
 * lines (`Types of parameters … are incompatible.`) keeps its first line.
 */
export function parseTsc(output: ToolOutput): Diagnostic[] {
  if (output.stage === "run") return parseNode(output);
  return compilerLines(`${output.stdout}\n${output.stderr}`, output.cwd, TSC_LINE, (match) => ({
    severity: match[4] === "message" ? "info" : match[4] === "warning" ? "warning" : "error",
    code: match[5] ?? "",
    message: match[6] ?? "",
  }));
}
