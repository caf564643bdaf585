import { workspacePath } from "./paths";
import type { Frame } from "./stack";

/** `    at name (location:line:column)`; a location with parentheses in it (an eval's) is not a file. */
const NAMED_FRAME = /^\s+at (.+?) \(([^()]+):(\d+):(\d+)\)$/;
/** `    at location:line:column`, for code at a module's top level (Deno, ES modules). */
const BARE_FRAME = /^\s+at ([^()\s]+):(\d+):(\d+)$/;

/** Whether a line is a frame of a V8 stack trace (in a file or not: `at new Promise (<anonymous>)`). */
export function isFrameLine(line: string): boolean {
  return /^\s+at \S/.test(line);
}

/** The frame a V8 stack line names, when it is in a file under /workspace. */
export function userFrame(line: string, cwd: string): Frame | null {
  const named = NAMED_FRAME.exec(line);
  const match = named ?? BARE_FRAME.exec(line);
  if (!match) return null;
  const [location, lineNumber, column] = named ? named.slice(2) : match.slice(1);
  const path = workspacePath(location ?? "", cwd);
  if (path === null) return null;
  const frame: Frame = { path, line: Number(lineNumber), column: Number(column) };
  if (named?.[1] !== undefined) frame.name = named[1];
  return frame;
}

/** The user's frames of the stack trace whose first line is `lines[from]`, innermost first, as V8 prints them. */
export function userFramesFrom(lines: readonly string[], from: number, cwd: string): Frame[] {
  const frames: Frame[] = [];
  for (let i = from; i < lines.length && isFrameLine(lines[i] ?? ""); i++) {
    const frame = userFrame(lines[i] ?? "", cwd);
    if (frame) frames.push(frame);
  }
  return frames;
}
