import { linesOf } from "./lines";
import { workspacePath } from "./paths";
import { exceptionDiagnostic } from "./stack";
import type { Diagnostic, ToolOutput } from "./types";
import { isFrameLine, userFrame, userFramesFrom } from "./v8-stack";

/** `error: Uncaught (in promise) NotCapable: Requires net access to "example.com:443", …`, then the stack. */
const UNCAUGHT = /^error: Uncaught (?:\(in promise\) )?(.*)$/;
const ERROR_VALUE = /^([A-Za-z_$][\w$.]*): (.*)$/;
/** Deno 2: `error: SyntaxError: Expected a semicolon`, the line, `~` markers, `    at file:///…:2:11`. */
const SYNTAX_ERROR = /^error: SyntaxError: (.*)$/;
/** Deno 1: the location ends the line, the source and `~` markers follow. */
const NOT_PARSED = /^error: The module's source code could not be parsed: (.*) at (\S+):(\d+):(\d+)$/;
/** `deno check`: `TS2322 [ERROR]: message`, the line, `~~~~~`, `    at file:///workspace/main.ts:1:7`. */
const TYPE_ERROR = /^(?:error: )?(TS\d+) \[(ERROR|WARNING|INFO)\]: (.*)$/;
/** Any other error with a location after it: `error: Module not found "…".` + `    at file:///…:1:22`. */
const OTHER_ERROR = /^error: (.*)$/;
const TILDES = /^[\s\d|]*?(~+)\s*$/;
/** How far below its first line an error's location is looked for. */
const LOCATION_LINES = 12;

/**
 * Deno's uncaught errors (a denied permission is `PermissionDenied`, which Deno 2 names `NotCapable`), parse
 * errors (Deno 1 and 2) and `deno check`'s type errors.
 */
export function parseDeno(output: ToolOutput): Diagnostic[] {
  const lines = linesOf(output.stderr);
  const diagnostics: Diagnostic[] = [];
  for (const [i, line] of lines.entries()) {
    if (UNCAUGHT.test(line)) {
      // An uncaught error ends the program: nothing after it is another error.
      const diagnostic = uncaught(lines, i, output.cwd);
      return diagnostic ? [...diagnostics, diagnostic] : diagnostics;
    }
    const diagnostic = syntaxError(lines, i, output.cwd) ?? typeError(lines, i, output.cwd) ?? otherError(lines, i, output.cwd);
    if (diagnostic) diagnostics.push(diagnostic);
  }
  return diagnostics;
}

function uncaught(lines: readonly string[], at: number, cwd: string): Diagnostic | null {
  const value = UNCAUGHT.exec(lines[at] ?? "")?.[1] ?? "";
  const error = ERROR_VALUE.exec(value);
  const name = error?.[1] ?? "Uncaught";
  const code = name === "NotCapable" ? "PermissionDenied" : name;
  const stack = lines.findIndex((line, i) => i > at && isFrameLine(line));
  return exceptionDiagnostic(code, error?.[2] ?? value, stack >= 0 ? userFramesFrom(lines, stack, cwd) : []);
}

function syntaxError(lines: readonly string[], at: number, cwd: string): Diagnostic | null {
  const line = lines[at] ?? "";
  const old = NOT_PARSED.exec(line);
  if (old) {
    const path = workspacePath(old[2] ?? "", cwd);
    if (path === null) return null;
    const location = { path, line: Number(old[3]), column: Number(old[4]) };
    return located(location, lines, at, { severity: "error", code: "SyntaxError", message: old[1] ?? "" });
  }
  const recent = SYNTAX_ERROR.exec(line);
  if (!recent) return null;
  const location = locationBelow(lines, at, cwd);
  return location && located(location, lines, at, { severity: "error", code: "SyntaxError", message: recent[1] ?? "" });
}

function typeError(lines: readonly string[], at: number, cwd: string): Diagnostic | null {
  const match = TYPE_ERROR.exec(lines[at] ?? "");
  if (!match) return null;
  const location = locationBelow(lines, at, cwd);
  const severity = match[2] === "WARNING" ? "warning" : match[2] === "INFO" ? "info" : "error";
  return location && located(location, lines, at, { severity, code: match[1] ?? "", message: match[3] ?? "" });
}

function otherError(lines: readonly string[], at: number, cwd: string): Diagnostic | null {
  const match = OTHER_ERROR.exec(lines[at] ?? "");
  if (!match) return null;
  const location = locationBelow(lines, at, cwd);
  return location && located(location, lines, at, { severity: "error", code: "error", message: match[1] ?? "" });
}

/** The location on the `    at` line a few lines below an error's first line (before the next error), in /workspace. */
function locationBelow(lines: readonly string[], at: number, cwd: string) {
  for (let i = at + 1; i < lines.length && i <= at + LOCATION_LINES; i++) {
    const line = lines[i] ?? "";
    if (isFrameLine(line)) return userFrame(line, cwd);
    if (TYPE_ERROR.test(line) || OTHER_ERROR.test(line)) return null;
  }
  return null;
}

/** The diagnostic at `location`, with the range of the `~` markers between the error's first line and its location. */
function located(
  location: { path: string; line: number; column?: number },
  lines: readonly string[],
  at: number,
  what: Pick<Diagnostic, "severity" | "code" | "message">,
): Diagnostic {
  const column = location.column ?? 1;
  let endColumn: number | undefined;
  for (let i = at + 1; i < lines.length && i <= at + LOCATION_LINES && endColumn === undefined; i++) {
    if (isFrameLine(lines[i] ?? "")) break;
    const tildes = TILDES.exec(lines[i] ?? "")?.[1];
    if (tildes) endColumn = column + tildes.length;
  }
  const range = endColumn === undefined ? {} : { endLine: location.line, endColumn };
  return { path: location.path, line: location.line, column, ...range, ...what, related: [] };
}
