/** The most cells the line table may have; past it the diff says "everything changed", which is still true. */
const MAX_CELLS = 16_000_000;
const CONTEXT = 3;

type Edit = { kind: " " | "-" | "+"; line: string };

/**
 * A unified diff of two texts, by lines (longest common subsequence), with three lines of context, and how many
 * lines were added and removed. Enough for a version history; not a general diff tool.
 */
export function unifiedDiff(before: string, after: string, name: string): { diff: string; added: number; removed: number } {
  const a = splitLines(before);
  const b = splitLines(after);
  const edits = a.length * b.length > MAX_CELLS ? replaceAll(a, b) : lcsEdits(a, b);
  const added = edits.filter((edit) => edit.kind === "+").length;
  const removed = edits.filter((edit) => edit.kind === "-").length;
  if (!added && !removed) return { diff: "", added, removed };
  return { diff: `--- a/${name}\n+++ b/${name}\n${hunks(edits).join("")}`, added, removed };
}

function splitLines(text: string): string[] {
  if (!text) return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function replaceAll(a: string[], b: string[]): Edit[] {
  return [...a.map((line) => ({ kind: "-" as const, line })), ...b.map((line) => ({ kind: "+" as const, line }))];
}

function lcsEdits(a: string[], b: string[]): Edit[] {
  // lengths[i][j]: the longest common subsequence of a[i..] and b[j..], one flat array.
  const width = b.length + 1;
  const lengths = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i * width + j] =
        a[i] === b[j] ? lengths[(i + 1) * width + j + 1]! + 1 : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!);
    }
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      edits.push({ kind: " ", line: a[i++]! });
      j++;
    }
    else if (lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!) edits.push({ kind: "-", line: a[i++]! });
    else edits.push({ kind: "+", line: b[j++]! });
  }
  while (i < a.length) edits.push({ kind: "-", line: a[i++]! });
  while (j < b.length) edits.push({ kind: "+", line: b[j++]! });
  return edits;
}

/** Groups changes with their context into `@@ -l,s +l,s @@` hunks: each change's ±3 lines, merged where they meet. */
function hunks(edits: Edit[]): string[] {
  const ranges: Array<[number, number]> = [];
  edits.forEach((edit, at) => {
    if (edit.kind === " ") return;
    const [from, to] = [Math.max(0, at - CONTEXT), Math.min(edits.length, at + CONTEXT + 1)];
    const last = ranges[ranges.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else ranges.push([from, to]);
  });
  return ranges.map(([from, to]) => {
    const before = edits.slice(0, from);
    const slice = edits.slice(from, to);
    const aStart = before.filter((edit) => edit.kind !== "+").length + 1;
    const bStart = before.filter((edit) => edit.kind !== "-").length + 1;
    const aCount = slice.filter((edit) => edit.kind !== "+").length;
    const bCount = slice.filter((edit) => edit.kind !== "-").length;
    const header = `@@ -${range(aStart, aCount)} +${range(bStart, bCount)} @@\n`;
    return header + slice.map((edit) => `${edit.kind}${edit.line}\n`).join("");
  });
}

/** As diff -u writes a side: "3,2", "3" for one line, "2,0" (the line before) for none. */
function range(start: number, count: number): string {
  if (count === 0) return `${start - 1},0`;
  return count === 1 ? `${start}` : `${start},${count}`;
}
