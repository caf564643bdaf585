import { structuredPatch } from "diff";

const CONTEXT = 3;
/**
 * The work the line diff may do, about (lines of both texts) × (lines changed) steps; past it the diff says
 * "everything changed", which is still true, rather than hold up the host on two unrelated large texts.
 */
const MAX_WORK = 16_000_000;

/**
 * A unified diff of two texts by lines (the `diff` package's Myers diff), with three lines of context, as
 * `diff -u` writes it, and how many lines were added and removed. Whether the last line ends with a newline is
 * not a change: this is a version history, not a patch to apply.
 */
export function unifiedDiff(before: string, after: string, name: string): { diff: string; added: number; removed: number } {
  const a = lines(before);
  const b = lines(after);
  const maxEditLength = Math.ceil(MAX_WORK / (a.length + b.length + 1));
  const hunks = structuredPatch(name, name, text(a), text(b), undefined, undefined, { context: CONTEXT, maxEditLength })?.hunks ?? [
    {
      oldStart: 1,
      oldLines: a.length,
      newStart: 1,
      newLines: b.length,
      lines: [...a.map((line) => `-${line}`), ...b.map((line) => `+${line}`)],
    },
  ];
  const changed = hunks.flatMap((hunk) => hunk.lines);
  const added = changed.filter((line) => line.startsWith("+")).length;
  const removed = changed.filter((line) => line.startsWith("-")).length;
  if (!added && !removed) return { diff: "", added, removed };
  const body = hunks.map(
    (hunk) => `@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@\n${hunk.lines.join("\n")}\n`,
  );
  return { diff: `--- a/${name}\n+++ b/${name}\n${body.join("")}`, added, removed };
}

function lines(text: string): string[] {
  if (!text) return [];
  const split = text.split("\n");
  if (split[split.length - 1] === "") split.pop();
  return split;
}

/** Every line ended by a newline, so the last one's is never a difference. */
function text(lines: string[]): string {
  return lines.map((line) => `${line}\n`).join("");
}

/** As diff -u writes a side: "3,2", "3" for one line, "2,0" (the line before) for none. */
function range(start: number, count: number): string {
  if (count === 0) return `${start - 1},0`;
  return count === 1 ? `${start}` : `${start},${count}`;
}
