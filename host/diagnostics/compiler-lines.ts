import { linesOf } from "./lines";
import { workspacePath } from "./paths";
import type { Diagnostic } from "./types";

/**
 * One diagnostic per line matching `pattern`, whose groups 1, 2 and 3 are the path (relative ones from `cwd`), line and column; `describe`
 * gives the rest. Lines naming a file outside /workspace are left out.
 */
export function compilerLines(
  text: string,
  cwd: string,
  pattern: RegExp,
  describe: (match: RegExpExecArray) => Pick<Diagnostic, "severity" | "code" | "message">,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const line of linesOf(text)) {
    const match = pattern.exec(line);
    const path = match ? workspacePath(match[1] ?? "", cwd) : null;
    if (!match || path === null) continue;
    diagnostics.push({ path, line: Number(match[2]), column: Number(match[3]), ...describe(match), related: [] });
  }
  return diagnostics;
}
