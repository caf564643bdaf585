/** A location in the user's code that a compiler or a program reported, with what it said there. */
export interface Diagnostic {
  /** Relative to /workspace, with forward slashes: `main.py`, `pkg/util.go`. */
  path: string;
  /** 1-based. */
  line: number;
  /** 1-based; 1 when the tool gives no column. */
  column: number;
  endLine?: number;
  /** 1-based and exclusive, when the tool marks a range (`^^^`, `~~~`). */
  endColumn?: number;
  severity: "error" | "warning" | "info";
  /** The tool's message, on one line where possible. */
  message: string;
  /** The error's type: an exception class, a compiler code (TS2322, CS0029, E0308), `panic`, `compile`. */
  code: string;
  /** The other stack frames inside /workspace, outermost (caller) first; [] when none. */
  related: RelatedLocation[];
}

export interface RelatedLocation {
  path: string;
  line: number;
  column: number;
  message: string;
}

/** What one stage of a run wrote. */
export interface ToolOutput {
  stage: "compile" | "run";
  stdout: string;
  stderr: string;
}

/**
 * The text of the user's files, by path relative to /workspace, for parsers whose tool leaves something out:
 * Python prints source lines without their indentation, so its columns need the file. Optional: without it the
 * parsers give what the output alone says.
 */
export type SourceFiles = Readonly<Record<string, string>>;

/** Reads one tool's output. Never throws on text it does not expect: it returns what it could read. */
export type Parser = (output: ToolOutput, sources: SourceFiles) => Diagnostic[];
