import type { Diagnostic } from "./types";

/** One frame of a stack trace, in a file under /workspace. */
export interface Frame {
  path: string;
  line: number;
  column?: number;
  endColumn?: number;
  /** The function the frame is in, as the tool names it. */
  name?: string;
}

/**
 * A runtime error's diagnostic: at the innermost of `frames` (given innermost first, as most runtimes print
 * them), with the others as related locations, outermost first. Null without a frame.
 */
export function exceptionDiagnostic(code: string, message: string, frames: readonly Frame[]): Diagnostic | null {
  const [primary, ...callers] = frames;
  if (!primary) return null;
  return {
    path: primary.path,
    line: primary.line,
    column: primary.column ?? 1,
    ...(primary.endColumn !== undefined ? { endLine: primary.line, endColumn: primary.endColumn } : {}),
    severity: "error",
    message,
    code,
    related: callers.reverse().map((frame) => ({
      path: frame.path,
      line: frame.line,
      column: frame.column ?? 1,
      message: frame.name ? `in ${frame.name}` : "called from here",
    })),
  };
}
