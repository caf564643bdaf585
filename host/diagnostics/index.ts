import { parseCsharp } from "./csharp";
import { parseDeno } from "./deno";
import { parseGo } from "./go";
import { parseJava } from "./java";
import { parseNode } from "./node";
import { parsePython } from "./python";
import { parseRust } from "./rust";
import { parseTsc } from "./tsc";
import type { Diagnostic, Parser, SourceFiles, ToolOutput } from "./types";

export type { Diagnostic, Parser, RelatedLocation, SourceFiles, ToolOutput } from "./types";

/** The error parsers, by the id a runtime's manifest names in `errorParser`. */
export const PARSERS: Readonly<Record<string, Parser>> = {
  python: parsePython,
  node: parseNode,
  tsc: parseTsc,
  csharp: parseCsharp,
  go: parseGo,
  java: parseJava,
  rust: parseRust,
  deno: parseDeno,
};

/**
 * The locations in the user's code that one stage's output reports, in the order printed; [] for an unknown
 * parser. `sources` (files by path under /workspace) sharpens columns where the output leaves them out (Python).
 */
export function parseDiagnostics(parserId: string, output: ToolOutput, sources: SourceFiles = {}): Diagnostic[] {
  const parser = Object.hasOwn(PARSERS, parserId) ? PARSERS[parserId] : undefined;
  return parser ? parser(output, sources) : [];
}
