import { linesOf, markedRange } from "./lines";
import { workspacePath } from "./paths";
import { exceptionDiagnostic, Frame } from "./stack";
import type { Diagnostic, SourceFiles, ToolOutput } from "./types";

const TRACEBACK = "Traceback (most recent call last):";
/** A frame (`, in name`) or a syntax error's location (no name). */
const FILE_LINE = /^ {2}File "(.+)", line (\d+)(?:, in (.+))?$/;
const EXCEPTION_LINE = /^([A-Za-z_][\w.]*)(?:: ?(.*))?$/;
/** What the warnings module prints: `/workspace/main.py:3: DeprecationWarning: text`. */
const WARNING_LINE = /^(.+?):(\d+): ([A-Za-z_]\w*Warning): (.*)$/;
/** Python quotes a source line four spaces in, after taking off the line's own indentation. */
const QUOTE_INDENT = "    ";

interface PrintedFrame {
  path: string | null;
  line: number;
  name?: string;
  quoted?: string;
  markers?: string;
}

interface Exception {
  code: string;
  message: string;
  frames: PrintedFrame[];
}

/**
 * Tracebacks (the last one printed is the exception that ended the program), syntax errors with their caret line,
 * and warnings. Python 3.11 underlines the failing expression of a frame (`~~^~~`) and a syntax error's tokens
 * (`^^^`), on the source line stripped of its indentation: columns come out right only with the file in `sources`.
 */
export function parsePython(output: ToolOutput, sources: SourceFiles): Diagnostic[] {
  const lines = linesOf(output.stderr);
  const warnings: Diagnostic[] = [];
  let frames: PrintedFrame[] = [];
  let last: Exception | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.startsWith(TRACEBACK)) {
      frames = [];
      continue;
    }
    const file = FILE_LINE.exec(line);
    if (file) {
      const frame: PrintedFrame = { path: workspacePath(file[1] ?? "", output.cwd), line: Number(file[2]) };
      if (file[3] !== undefined) frame.name = file[3];
      const quoted = lines[i + 1];
      if (quoted !== undefined && quoted.startsWith(QUOTE_INDENT) && markedRange(quoted) === null) {
        frame.quoted = quoted.slice(QUOTE_INDENT.length);
        i++;
        const markers = lines[i + 1];
        if (markers !== undefined && markedRange(markers) !== null) {
          frame.markers = markers;
          i++;
        }
      }
      frames.push(frame);
      continue;
    }
    const exception = frames.length > 0 ? EXCEPTION_LINE.exec(line) : null;
    if (exception) {
      const code = exception[1] ?? "";
      last = { code, message: exception[2] || code, frames };
      frames = [];
      continue;
    }
    const warning = WARNING_LINE.exec(line);
    const warningPath = warning ? workspacePath(warning[1] ?? "", output.cwd) : null;
    if (warning && warningPath !== null) {
      warnings.push({
        path: warningPath,
        line: Number(warning[2]),
        column: 1,
        severity: "warning",
        message: warning[4] ?? "",
        code: warning[3] ?? "",
        related: [],
      });
    }
  }
  // A traceback cut before its exception line says neither what happened nor, perhaps, where: nothing is made of it.
  const error = last ? exceptionDiagnostic(last.code, last.message, userFrames(last.frames, sources)) : null;
  return error ? [...warnings, error] : warnings;
}

/** The frames in /workspace, innermost first, with the columns their markers give. */
function userFrames(frames: readonly PrintedFrame[], sources: SourceFiles): Frame[] {
  const inWorkspace: Frame[] = [];
  for (const printed of frames) {
    if (printed.path === null) continue;
    const frame: Frame = { path: printed.path, line: printed.line, ...markedColumns(printed, sources) };
    if (printed.name !== undefined) frame.name = printed.name;
    inWorkspace.unshift(frame);
  }
  return inWorkspace;
}

function markedColumns(frame: PrintedFrame, sources: SourceFiles): Pick<Frame, "column" | "endColumn"> {
  const range = markedRange(frame.markers);
  if (!range || frame.quoted === undefined || frame.path === null) return {};
  const indentation = indentationOf(sources[frame.path], frame.line, frame.quoted);
  if (indentation === null) return {};
  const shift = indentation - QUOTE_INDENT.length;
  return { column: range.column + shift, endColumn: range.endColumn + shift };
}

/** How far in the quoted line starts in the file, or null without the file or when the file no longer has it. */
function indentationOf(source: string | undefined, line: number, quoted: string): number | null {
  const text = source === undefined ? undefined : linesOf(source)[line - 1];
  if (text === undefined) return null;
  const body = text.replace(/^[ \t\f]+/, "");
  return body.trimEnd() === quoted.trimEnd() ? text.length - body.length : null;
}
