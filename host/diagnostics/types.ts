import type { Diagnostic } from "../../contract/protocol/diagnostics";

export type { Diagnostic, RelatedLocation } from "../../contract/protocol/diagnostics";

/** What one stage of a run wrote. */
export interface ToolOutput {
  stage: "compile" | "run";
  /**
   * The directory the tool ran in, absolute (/workspace or a folder under it; a runtime runs a file in its own
   * directory): the paths a tool prints relative to it are resolved from there.
   */
  cwd: string;
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
