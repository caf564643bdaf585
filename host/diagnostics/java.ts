import { linesOf, markedRange } from "./lines";
import { workspacePath } from "./paths";
import { exceptionDiagnostic, Frame } from "./stack";
import type { Diagnostic, ToolOutput } from "./types";

/** `/workspace/Main.java:3: error: message`, then the source line and a caret under the column. */
const COMPILER_LINE = /^(.+\.java):(\d+): (error|warning): (.*)$/;
/** A lint's warning starts with its category: `[removal] Integer(int) in Integer has been deprecated…`. */
const LINT = /^\[([\w-]+)\] (.*)$/;
const UNCAUGHT = /^Exception in thread "(.*)" ([\w$.]+)(?:: ?(.*))?$/;
/** `\tat shapes.Circle.<init>(Circle.java:8)`, perhaps with a class loader or module first: `java.base/…`. */
const FRAME = /^\s+at (?:(\S*?)\/)?([\w$.]+)\.([\w$<>]+)\(([^():]+):(\d+)\)$/;

/**
 * javac's errors and warnings; at run time, an uncaught exception's stack. Frames name the file only, so the path
 * is the class's package as folders under the directory javac ran in (the runtime compiles with -sourcepath {dir},
 * the file's own directory).
 */
export function parseJava(output: ToolOutput): Diagnostic[] {
  const lines = linesOf(output.stderr);
  return output.stage === "compile" ? compileErrors(lines, output.cwd) : uncaught(lines, output.cwd);
}

function compileErrors(lines: readonly string[], cwd: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const [i, line] of lines.entries()) {
    const match = COMPILER_LINE.exec(line);
    const path = match ? workspacePath(match[1] ?? "", cwd) : null;
    if (!match || path === null) continue;
    const warning = match[3] === "warning";
    const lint = warning ? LINT.exec(match[4] ?? "") : null;
    const caret = isSourceLine(lines[i + 1]) ? markedRange(lines[i + 2], "^") : null;
    diagnostics.push({
      path,
      line: Number(match[2]),
      column: caret?.column ?? 1,
      severity: warning ? "warning" : "error",
      message: lint?.[2] ?? match[4] ?? "",
      code: lint?.[1] ?? "javac",
      related: [],
    });
  }
  return diagnostics;
}

function isSourceLine(line: string | undefined): boolean {
  return line !== undefined && !COMPILER_LINE.test(line) && markedRange(line, "^") === null;
}

function uncaught(lines: readonly string[], cwd: string): Diagnostic[] {
  const start = lines.findIndex((line) => UNCAUGHT.test(line));
  if (start < 0) return [];
  const [, , exception, message] = UNCAUGHT.exec(lines[start] ?? "") ?? [];
  const frames: Frame[] = [];
  // The exception's own frames; a `Caused by:` section after them is another exception's.
  for (let i = start + 1; i < lines.length && /^\s+at /.test(lines[i] ?? ""); i++) {
    const frame = userFrame(lines[i] ?? "", cwd);
    if (frame) frames.push(frame);
  }
  const diagnostic = exceptionDiagnostic(exception ?? "", message ?? exception ?? "", frames);
  return diagnostic ? [diagnostic] : [];
}

function userFrame(line: string, cwd: string): Frame | null {
  const match = FRAME.exec(line);
  if (!match) return null;
  const [, loaderAndModule, className = "", method = "", file = "", lineNumber] = match;
  // `app//Main.main`: a class loader and no module, the user's classes; `java.base/…`: a module of the JDK.
  if (loaderAndModule !== undefined && !loaderAndModule.endsWith("/")) return null;
  const packagePath = className.includes(".") ? className.slice(0, className.lastIndexOf(".")).replace(/\./g, "/") : "";
  const path = workspacePath(packagePath ? `${packagePath}/${file}` : file, cwd);
  if (path === null) return null;
  return { path, line: Number(lineNumber), name: `${className}.${method}` };
}
