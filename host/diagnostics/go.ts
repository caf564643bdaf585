import { linesOf } from "./lines";
import { workspacePath } from "./paths";
import { exceptionDiagnostic, Frame } from "./stack";
import type { Diagnostic, ToolOutput } from "./types";

/** `./main.go:6:18: message` (the column may be missing); `# package` lines head each package's errors. */
const COMPILER_LINE = /^(\S.*?\.go):(\d+)(?::(\d+))?: (.*)$/;
/** `panic: runtime error: integer divide by zero`, or the runtime's own `fatal error: …`. */
const PANIC = /^(panic|fatal error): (.*?)(?: \[recovered\])?$/;
const GOROUTINE = /^goroutine \d+ \[.*\]:$/;
/** A frame is a function line, then its location: `\t/workspace/main.go:6 +0x1d`. */
const FRAME_LOCATION = /^\t(.+\.go):(\d+)(?: \+0x[0-9a-f]+)?$/;

/** go build's errors (code `compile`); at run time, a panic with the panicking goroutine's stack. */
export function parseGo(output: ToolOutput): Diagnostic[] {
  const lines = linesOf(output.stderr);
  return output.stage === "compile" ? compileErrors(lines, output.cwd) : panic(lines, output.cwd);
}

function compileErrors(lines: readonly string[], cwd: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const line of lines) {
    const match = COMPILER_LINE.exec(line);
    const path = match ? workspacePath(match[1] ?? "", cwd) : null;
    if (!match || path === null) continue;
    diagnostics.push({
      path,
      line: Number(match[2]),
      column: match[3] ? Number(match[3]) : 1,
      severity: "error",
      message: match[4] ?? "",
      code: "compile",
      related: [],
    });
  }
  return diagnostics;
}

function panic(lines: readonly string[], cwd: string): Diagnostic[] {
  const start = lines.findIndex((line) => PANIC.test(line));
  if (start < 0) return [];
  const [, kind, message] = PANIC.exec(lines[start] ?? "") ?? [];
  const stack = lines.findIndex((line, i) => i > start && GOROUTINE.test(line));
  const frames: Frame[] = [];
  // The panicking goroutine's frames, innermost first, up to the blank line before the next goroutine.
  for (let i = stack + 1; stack >= 0 && i < lines.length && (lines[i] ?? "").trim() !== ""; i++) {
    const location = FRAME_LOCATION.exec(lines[i] ?? "");
    const path = location ? workspacePath(location[1] ?? "", cwd) : null;
    if (!location || path === null) continue;
    const frame: Frame = { path, line: Number(location[2]) };
    const name = functionName(lines[i - 1] ?? "");
    if (name) frame.name = name;
    frames.push(frame);
  }
  const diagnostic = exceptionDiagnostic(kind === "panic" ? "panic" : "fatal error", message ?? "", frames);
  return diagnostic ? [diagnostic] : [];
}

/** `main.divide(...)`, `main.main()`, `created by main.main` → the function's name. */
function functionName(line: string): string {
  return line
    .replace(/^created by /, "")
    .replace(/\([^()]*\)$/, "")
    .replace(/ in goroutine \d+$/, "")
    .trim();
}
