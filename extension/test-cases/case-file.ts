import { z } from "zod";
import { Comparison, JudgeCase } from "../../contract/protocol/judge";

/**
 * A file's test cases live beside it, in `<file>.tests.json` (`solve.py` → `solve.py.tests.json`):
 *
 *   { "compare": "trimmed", "cases": [ { "name": "sample", "stdin": "1 2\n", "expectedOutput": "3\n" } ] }
 *
 * Each case is session.judge's (`name`, `stdin`, `expectedOutput`, `timeoutMs`, `memoryLimitMB`, all but stdin
 * optional); `compare` is too (default `trimmed`).
 */
export const CASE_FILE_SUFFIX = ".tests.json";

export const CaseFile = z.strictObject({
  $schema: z.string().optional(),
  compare: Comparison.optional(),
  cases: z.array(JudgeCase),
});
export type CaseFile = z.output<typeof CaseFile>;

export function caseFileOf(sourcePath: string): string {
  return `${sourcePath}${CASE_FILE_SUFFIX}`;
}

/** The source file a case file belongs to; undefined for a file that is not a case file. */
export function sourceOf(caseFilePath: string): string | undefined {
  if (!caseFilePath.endsWith(CASE_FILE_SUFFIX)) return undefined;
  const source = caseFilePath.slice(0, -CASE_FILE_SUFFIX.length);
  return /[^/\\]$/.test(source) ? source : undefined; // not a bare ".tests.json"
}

export type ParsedCaseFile = { ok: true; file: CaseFile; lines: number[] } | { ok: false; error: string };

/** A case file's cases and the line (0-based) each starts on; or what is wrong with it, naming the field. */
export function parseCaseFile(text: string): ParsedCaseFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not JSON: ${(error as Error).message}` };
  }
  const parsed = CaseFile.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(the file)"}: ${issue.message}`);
    return { ok: false, error: issues.join("; ") };
  }
  return { ok: true, file: parsed.data, lines: caseLines(text) };
}

/** The case file's text with one more case at the end of `cases` (a new file when there is none). */
export function withCaseAdded(text: string | undefined, added: { name: string; stdin: string; expectedOutput: string }): string {
  const current = text === undefined ? { cases: [] } : (JSON.parse(text) as { cases?: unknown[] });
  const cases = [...(current.cases ?? []), added];
  return `${JSON.stringify({ ...current, cases }, null, 2)}\n`;
}

/** The line each element of the top-level `cases` array starts on, by scanning the text as JSON tokens. */
function caseLines(text: string): number[] {
  const lines: number[] = [];
  let line = 0;
  let depth = 0;
  let casesDepth: number | undefined;
  let lastKey: string | undefined;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === "\n") line++;
    else if (char === '"') {
      let end = index + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      lastKey = text.slice(index + 1, end);
      index = end;
    } else if (char === "{" || char === "[") {
      if (char === "[" && depth === 1 && lastKey === "cases") casesDepth = depth + 1;
      else if (char === "{" && casesDepth !== undefined && depth === casesDepth) lines.push(line);
      depth++;
    } else if (char === "}" || char === "]") {
      depth--;
      if (casesDepth !== undefined && depth < casesDepth) casesDepth = undefined;
    }
  }
  return lines;
}
