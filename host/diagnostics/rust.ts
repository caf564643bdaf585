import { linesOf } from "./lines";
import { workspacePath } from "./paths";
import type { Diagnostic, RelatedLocation, ToolOutput } from "./types";

/** `error[E0308]: mismatched types`, `warning: unused variable: \`x\``; sub-diagnostics are `note:` / `help:`. */
const HEADER = /^(error|warning)(?:\[(E\d+)\])?: (.*)$/;
const SUB_HEADER = /^(note|help): (.*)$/;
/** ` --> /workspace/main.rs:2:22`, and `  ::: path:line:column` for a span in another file. */
const LOCATION = /^\s*(?:-->|:::) (.+):(\d+):(\d+)$/;
/** `2 |     let count: i32 = "three";` and the marker line under it, `  |        ---   ^^^^^^^ label`. */
const SOURCE_LINE = /^\s*(\d+) \| (.*)$/;
const MARKER_LINE = /^\s*\| (.*)$/;
/** rustc 1.63: `thread 'main' panicked at 'message', main.rs:3:13`; later ones: `… at main.rs:3:13:` + message. */
const PANIC_START = /^thread '.*' panicked at /;
const OLD_PANIC = /^thread '(.*?)' panicked at '([\s\S]*)', ([^']+):(\d+):(\d+)$/;
const NEW_PANIC = /^thread '(.*)' panicked at (.+):(\d+):(\d+):$/;
/** How far a panic's message is looked for: a few lines, not the rest of a long output. */
const MESSAGE_LINES = 40;
/** A frame of RUST_BACKTRACE's listing: `             at ./main.rs:3:5`. */
const BACKTRACE_LOCATION = /^\s+at (.+):(\d+):(\d+)$/;

/** rustc's errors and warnings, with the range of their `^^^` markers; at run time, a panic. */
export function parseRust(output: ToolOutput): Diagnostic[] {
  const lines = linesOf(output.stderr);
  return output.stage === "compile" ? compileErrors(lines, output.cwd) : panic(lines, output.cwd);
}

function compileErrors(lines: readonly string[], cwd: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  let current: Diagnostic | null = null;
  let subMessage: string | null = null;
  for (const [i, line] of lines.entries()) {
    const header = HEADER.exec(line);
    if (header) {
      current = null;
      subMessage = null;
      const at = LOCATION.exec(lines[i + 1] ?? "");
      const path = at ? workspacePath(at[1] ?? "", cwd) : null;
      // Without a location (`error: aborting due to previous error`) it is a summary, not a diagnostic.
      if (!at || path === null) continue;
      const lineNumber = Number(at[2]);
      const column = Number(at[3]);
      current = {
        path,
        line: lineNumber,
        column,
        ...primaryRange(lines, i + 2, lineNumber, column),
        severity: header[1] === "warning" ? "warning" : "error",
        message: header[3] ?? "",
        code: header[2] ?? "rustc",
        related: [],
      };
      diagnostics.push(current);
      continue;
    }
    const sub = SUB_HEADER.exec(line);
    if (sub) {
      subMessage = sub[2] ?? "";
      continue;
    }
    const at = subMessage !== null && current ? LOCATION.exec(line) : null;
    const path = at ? workspacePath(at[1] ?? "", cwd) : null;
    if (current && at && path !== null && subMessage !== null) {
      const related: RelatedLocation = { path, line: Number(at[2]), column: Number(at[3]), message: subMessage };
      current.related.push(related);
    }
  }
  return diagnostics;
}

/**
 * The primary span's end, from the marker line under the quoted source line: the `^` run at the span's column,
 * after any `-` of a secondary span drawn over its start (`----^^^^^`).
 */
function primaryRange(
  lines: readonly string[],
  from: number,
  lineNumber: number,
  column: number,
): { endLine?: number; endColumn?: number } {
  for (let i = from; i < lines.length && i < from + 8; i++) {
    const source = SOURCE_LINE.exec(lines[i] ?? "");
    if (!source || Number(source[1]) !== lineNumber) continue;
    const gutter = (lines[i] ?? "").indexOf("| ") + 2;
    const markers = lines[i + 1] ?? "";
    if (!MARKER_LINE.test(markers) || markers.indexOf("| ") + 2 !== gutter) return {};
    // `  |  _____^` starts a span that goes on over lines: its carets do not end it.
    if (markers.slice(gutter, gutter + column - 1).includes("_")) return {};
    const run = /^-*(\^+)/.exec(markers.slice(gutter + column - 1));
    return run ? { endLine: lineNumber, endColumn: column + (run[0]?.length ?? 0) } : {};
  }
  return {};
}

function panic(lines: readonly string[], cwd: string): Diagnostic[] {
  for (const [i, line] of lines.entries()) {
    if (!PANIC_START.test(line)) continue;
    const recent = NEW_PANIC.exec(line);
    const old = recent ? null : oldPanic(lines, i);
    const found = recent ? { location: recent[2], line: recent[3], column: recent[4], message: panicMessage(lines, i + 1), end: i } : old;
    const path = found ? workspacePath(found.location ?? "", cwd) : null;
    if (!found || path === null) return [];
    const lineNumber = Number(found.line);
    return [
      {
        path,
        line: lineNumber,
        column: Number(found.column),
        severity: "error",
        message: found.message,
        code: "panic",
        related: backtrace(lines, found.end + 1, { path, line: lineNumber }, cwd),
      },
    ];
  }
  return [];
}

/** The old format quotes the message, which may run over several lines, before the location. */
function oldPanic(lines: readonly string[], start: number) {
  for (let end = start; end < lines.length && end < start + MESSAGE_LINES; end++) {
    const match = OLD_PANIC.exec(lines.slice(start, end + 1).join("\n"));
    if (match) return { location: match[3], line: match[4], column: match[5], message: oneLine(match[2] ?? ""), end };
  }
  return null;
}

function panicMessage(lines: readonly string[], from: number): string {
  const message: string[] = [];
  for (let i = from; i < lines.length && i < from + MESSAGE_LINES; i++) {
    const line = lines[i] ?? "";
    if (line.startsWith("note: ") || line.startsWith("stack backtrace:")) break;
    message.push(line);
  }
  return oneLine(message.join("\n"));
}

function oneLine(text: string): string {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .join(" ");
}

/** The user's frames of a RUST_BACKTRACE listing (innermost first), outermost first, without the panic's own. */
function backtrace(lines: readonly string[], from: number, { path, line }: { path: string; line: number }, cwd: string): RelatedLocation[] {
  const related: RelatedLocation[] = [];
  for (let i = from; i < lines.length; i++) {
    const at = BACKTRACE_LOCATION.exec(lines[i] ?? "");
    const framePath = at ? workspacePath(at[1] ?? "", cwd) : null;
    if (!at || framePath === null || (framePath === path && Number(at[2]) === line)) continue;
    const name = /^\s*\d+: (.*)$/.exec(lines[i - 1] ?? "")?.[1];
    const message = name ? `in ${name}` : "called from here";
    related.unshift({ path: framePath, line: Number(at[2]), column: Number(at[3]), message });
  }
  return related;
}
