import { compilerLines } from "./compiler-lines";
import { linesOf } from "./lines";
import { workspacePath } from "./paths";
import { exceptionDiagnostic, Frame } from "./stack";
import type { Diagnostic, ToolOutput } from "./types";

/** `/workspace/Program.cs(3,21): error CS0029: message`, from mcs (and csc, which may add ` [project.csproj]`). */
const COMPILER_LINE = /^(.+)\((\d+),(\d+)\): (error|warning) (CS\d+): (.*?)(?: \[[^\]]+\])?$/;
/** Mono prints `Unhandled Exception:` and the exception on the next line; .NET puts both on one. */
const UNHANDLED = /^Unhandled [Ee]xception(?::|\.)\s*(.*)$/;
const EXCEPTION_LINE = /^([A-Za-z_][\w.`+]*): ?(.*)$/;
/** `  at Program.Divide (System.Int32 a, System.Int32 b) [0x00001] in /workspace/Program.cs:5`; .NET: `:line 5`. */
const FRAME = /^\s+at (.+?)(?: \[0x[0-9a-f]+\])? in (.+):(?:line )?(\d+)\s*$/;
const INNER_END = /^\s*--- End of inner exception stack trace ---/;

/**
 * mcs's errors and warnings; at run time, Mono's `Unhandled Exception:` report. Its frames carry file and line only
 * when the program was compiled with `-debug` and run with `mono --debug`, as the runtime does.
 */
export function parseCsharp(output: ToolOutput): Diagnostic[] {
  if (output.stage === "compile") {
    return compilerLines(`${output.stderr}\n${output.stdout}`, output.cwd, COMPILER_LINE, (match) => ({
      severity: match[4] === "warning" ? "warning" : "error",
      code: match[5] ?? "",
      message: match[6] ?? "",
    }));
  }
  const lines = linesOf(output.stderr);
  const start = lines.findIndex((line) => UNHANDLED.test(line));
  if (start < 0) return [];
  const sameLine = UNHANDLED.exec(lines[start] ?? "")?.[1] ?? "";
  const exception = EXCEPTION_LINE.exec(sameLine || (lines[start + 1] ?? ""));
  if (!exception) return [];
  let frames: Frame[] = [];
  for (let i = start + (sameLine ? 1 : 2); i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (INNER_END.test(line)) {
      frames = []; // the frames above were the inner exception's; the report's exception is the outer one
      continue;
    }
    if (!/^\s+at /.test(line)) break;
    const frame = FRAME.exec(line);
    const path = frame ? workspacePath(frame[2] ?? "", output.cwd) : null;
    if (frame && path !== null) frames.push({ path, line: Number(frame[3]), name: withoutParameters(frame[1] ?? "") });
  }
  const diagnostic = exceptionDiagnostic(exception[1] ?? "", exception[2] ?? "", frames);
  return diagnostic ? [diagnostic] : [];
}

/** `Program.Average (System.Int32[] values)` → `Program.Average`. */
function withoutParameters(method: string): string {
  return method.replace(/\s*\(.*\)$/, "");
}
