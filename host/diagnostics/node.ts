import { linesOf, markedRange } from "./lines";
import { workspacePath } from "./paths";
import { exceptionDiagnostic, Frame } from "./stack";
import type { Diagnostic, ToolOutput } from "./types";
import { isFrameLine, userFramesFrom } from "./v8-stack";

/** The first line of Node's report of an uncaught error: where it was thrown, `/workspace/main.js:3`. */
const THROWN_AT = /^((?:file:\/\/)?\/.*):(\d+)$/;
/** `TypeError: message`, `Error [ERR_MODULE_NOT_FOUND]: message`. */
const ERROR_LINE = /^([A-Za-z_$][\w$.]*)(?: \[([\w$-]+)\])?: (.*)$/;
const ERROR_NAME = /^[A-Za-z_$][\w$.]*$/;

/**
 * Node's report of an uncaught error: `/workspace/main.js:3`, the source line and a caret, then the error and its
 * stack. The stack gives the location; a syntax error has no frame of the user's, so its caret does.
 */
export function parseNode(output: ToolOutput): Diagnostic[] {
  const lines = linesOf(output.stderr);
  const reportStart = lines.findIndex((line, i) => THROWN_AT.test(line) && markedRange(lines[i + 2], "^") !== null);
  const thrownAt = reportStart >= 0 ? thrownLocation(lines, reportStart, output.cwd) : null;
  const searchFrom = reportStart >= 0 ? reportStart + 3 : 0;
  const stackStart = lines.findIndex((line, i) => i >= searchFrom && isFrameLine(line));

  const messageLine = reportStart >= 0 ? firstTextLine(lines, searchFrom) : firstLineOfBlockBefore(lines, stackStart);
  if (messageLine === undefined) return [];
  const { code, message } = describeError(messageLine, stackStart >= 0);

  const frames = stackStart >= 0 ? userFramesFrom(lines, stackStart, output.cwd) : [];
  const primaryFromCaret = thrownAt !== null && (code === "SyntaxError" || frames.length === 0);
  const diagnostic = exceptionDiagnostic(code, message, primaryFromCaret ? [thrownAt, ...frames] : frames);
  return diagnostic ? [diagnostic] : [];
}

/**
 * `TypeError: text` → its name (or its code, `ERR_…`) and text. A thrown value that is not an Error
 * (`throw "text"`) has no name and no stack.
 */
function describeError(line: string, hasStack: boolean): { code: string; message: string } {
  const error = ERROR_LINE.exec(line);
  if (error) return { code: error[2] ?? error[1] ?? "", message: error[3] ?? "" };
  if (hasStack && ERROR_NAME.test(line)) return { code: line, message: line };
  return { code: "Uncaught", message: line };
}

function thrownLocation(lines: readonly string[], at: number, cwd: string): Frame | null {
  const match = THROWN_AT.exec(lines[at] ?? "");
  const path = match ? workspacePath(match[1] ?? "", cwd) : null;
  if (!match || path === null) return null;
  return { path, line: Number(match[2]), ...markedRange(lines[at + 2], "^") };
}

function firstTextLine(lines: readonly string[], from: number): string | undefined {
  return lines.slice(from).find((line) => line.trim() !== "");
}

/** The first line of the block of non-blank lines that ends just before `end`: an error's message. */
function firstLineOfBlockBefore(lines: readonly string[], end: number): string | undefined {
  if (end <= 0) return undefined;
  let start = end;
  while (start > 0 && (lines[start - 1] ?? "").trim() !== "") start--;
  return start < end ? lines[start] : undefined;
}
