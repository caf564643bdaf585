import { describe, expect, it } from "vitest";
import { describeDifference, outputMatches } from "../../host/judge/compare";
import { SessionJudgeParams } from "../../contract/protocol/judge";

describe("how session.judge compares output", () => {
  it("trimmed (the default) ignores trailing whitespace on each line and at the end, and CRLF", () => {
    expect(outputMatches("1 2  \r\n3\n\n\n", "1 2\n3", "trimmed")).toBe(true);
    expect(outputMatches("1  2\n3\n", "1 2\n3\n", "trimmed")).toBe(false);
    expect(outputMatches(" 1\n", "1\n", "trimmed")).toBe(false);
    expect(outputMatches("1\n\n2\n", "1\n2\n", "trimmed")).toBe(false);
  });

  it("exact compares every byte", () => {
    expect(outputMatches("42\n", "42\n", "exact")).toBe(true);
    expect(outputMatches("42\n", "42", "exact")).toBe(false);
  });

  it("tokens compares words, whatever the whitespace between them", () => {
    expect(outputMatches("1   2\n\n3", "1 2 3\n", "tokens")).toBe(true);
    expect(outputMatches("1 2", "1 2 3", "tokens")).toBe(false);
    expect(outputMatches("1.0", "1", "tokens")).toBe(false);
  });

  it("a tolerance compares numbers within it, absolute or relative, and other words exactly", () => {
    expect(outputMatches("pi 3.14159\n", "pi 3.1416", 1e-4)).toBe(true);
    expect(outputMatches("pi 3.15", "pi 3.1416", 1e-4)).toBe(false);
    expect(outputMatches("1000001", "1e6", 1e-6)).toBe(true); // relative
    expect(outputMatches("PI 3.1416", "pi 3.1416", 1e-4)).toBe(false);
    expect(outputMatches("1 2", "1", 0.5)).toBe(false);
  });

  it("tells a wrong answer by its first differing line, then a short diff", () => {
    const told = describeDifference("1\n2\n4\n", "1\n2\n3\n");
    expect(told.split("\n")[0]).toBe('line 3: expected "3", got "4"');
    expect(told).toContain("-3\n+4");
    expect(describeDifference("1\n", "1\n2\n").split("\n")[0]).toBe('line 2: expected "2", got the end of the output');
    expect(describeDifference("1\n2\n", "1\n").split("\n")[0]).toBe('line 2: expected the output to end, got "2"');
  });

  it("keeps the diff short whatever the output's size", () => {
    const huge = Array.from({ length: 100_000 }, (_, i) => String(i)).join("\n");
    const told = describeDifference(huge, "nothing like it");
    expect(told.split("\n").length).toBeLessThan(60);
    expect(describeDifference(`${"x".repeat(10_000)}\n`, "y\n").length).toBeLessThan(400);
  });
});

describe("session.judge's params", () => {
  const base = { sessionId: "s", cases: [{ stdin: "1" }] };

  it("takes code or a path, not both, not neither", () => {
    expect(SessionJudgeParams.safeParse({ ...base, code: "print(1)" }).success).toBe(true);
    expect(SessionJudgeParams.safeParse({ ...base, path: "src/a.py" }).data?.path).toBe("/workspace/src/a.py");
    expect(SessionJudgeParams.safeParse({ ...base, code: "x", path: "a.py" }).success).toBe(false);
    expect(SessionJudgeParams.safeParse(base).error?.issues[0]?.message).toBe("needs either code or path (not both)");
  });

  it("defaults the comparison to trimmed and refuses unknown ones and empty case lists", () => {
    expect(SessionJudgeParams.parse({ ...base, code: "" }).compare).toBe("trimmed");
    expect(SessionJudgeParams.safeParse({ ...base, code: "", compare: "fuzzy" }).success).toBe(false);
    expect(SessionJudgeParams.safeParse({ ...base, code: "", cases: [] }).success).toBe(false);
    expect(SessionJudgeParams.safeParse({ ...base, code: "", cases: [{ stdin: "", limit: 1 }] }).success).toBe(false);
  });
});
