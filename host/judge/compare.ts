import { unifiedDiff } from "../history/diff";
import type { Comparison } from "../../contract/protocol/judge";

/** Lines of each side that go into a wrong answer's diff: enough to see the mistake, cheap whatever the output. */
const DIFF_LINES = 50;
const SHOWN_CHARS = 80;

/** Whether a program's output is the expected one, under a comparison of session.judge. */
export function outputMatches(actual: string, expected: string, comparison: Comparison): boolean {
  if (comparison === "exact") return actual === expected;
  if (comparison === "trimmed") return trimmed(actual) === trimmed(expected);
  const [got, want] = [tokens(actual), tokens(expected)];
  if (got.length !== want.length) return false;
  const tolerance = comparison === "tokens" ? undefined : comparison;
  return got.every((token, index) => tokensEqual(token, want[index]!, tolerance));
}

/**
 * A wrong answer, told briefly: the first line that differs (expected, then got), then a unified diff of the
 * first lines of both.
 */
export function describeDifference(actual: string, expected: string): string {
  const [got, want] = [lines(actual), lines(expected)];
  const at = firstDifference(got, want);
  const headline =
    at >= want.length
      ? `line ${at + 1}: expected the output to end, got ${show(got[at]!)}`
      : at >= got.length
        ? `line ${at + 1}: expected ${show(want[at]!)}, got the end of the output`
        : `line ${at + 1}: expected ${show(want[at]!)}, got ${show(got[at]!)}`;
  const head = (text: string[]) => text.slice(0, DIFF_LINES).map(clip).join("\n");
  const { diff } = unifiedDiff(head(want), head(got), "output");
  return `${headline}\n${diff.split("\n").slice(2).join("\n")}`.trimEnd();
}

function trimmed(text: string): string {
  return lines(text)
    .map((line) => line.trimEnd())
    .join("\n")
    .trimEnd();
}

function lines(text: string): string[] {
  const split = text.replace(/\r\n/g, "\n").split("\n");
  if (split.length > 1 && split[split.length - 1] === "") split.pop();
  return split;
}

function firstDifference(got: string[], want: string[]): number {
  let index = 0;
  while (index < got.length && index < want.length && got[index]!.trimEnd() === want[index]!.trimEnd()) index++;
  return index;
}

function tokens(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function tokensEqual(got: string, want: string, tolerance: number | undefined): boolean {
  if (got === want) return true;
  if (tolerance === undefined || !NUMBER.test(got) || !NUMBER.test(want)) return false;
  const [a, b] = [Number(got), Number(want)];
  const difference = Math.abs(a - b);
  return difference <= tolerance || difference <= tolerance * Math.abs(b);
}

function clip(line: string): string {
  return line.length > SHOWN_CHARS ? `${line.slice(0, SHOWN_CHARS)}…` : line;
}

function show(line: string): string {
  return JSON.stringify(clip(line));
}
