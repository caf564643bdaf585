import { describe, expect, it } from "vitest";
import { caseFileOf, parseCaseFile, sourceOf, withCaseAdded } from "../../extension/test-cases/case-file";

describe("test cases kept beside a file", () => {
  it("names the case file after its source, and back", () => {
    expect(caseFileOf("/w/tasks/solve.py")).toBe("/w/tasks/solve.py.tests.json");
    expect(sourceOf("/w/tasks/solve.py.tests.json")).toBe("/w/tasks/solve.py");
    expect(sourceOf("/w/tasks/solve.py")).toBeUndefined();
    expect(sourceOf("/w/.tests.json")).toBeUndefined();
  });

  it("reads the cases and the line each starts on", () => {
    const text = [
      "{",
      '  "compare": "tokens",',
      '  "cases": [',
      '    { "name": "braces {in} [strings]", "stdin": "1 2\\n", "expectedOutput": "3" },',
      "    {",
      '      "stdin": "5 5",',
      '      "expectedOutput": "10", "timeoutMs": 500',
      "    }",
      "  ]",
      "}",
    ].join("\n");
    const parsed = parseCaseFile(text);
    expect(parsed).toMatchObject({
      ok: true,
      file: {
        compare: "tokens",
        cases: [
          { name: "braces {in} [strings]", stdin: "1 2\n" },
          { stdin: "5 5", timeoutMs: 500 },
        ],
      },
      lines: [3, 4],
    });
  });

  it("says what is wrong, naming the field", () => {
    expect(parseCaseFile("{ cases: [] }")).toMatchObject({ ok: false, error: expect.stringMatching(/^not JSON: /) });
    expect(parseCaseFile('{"cases": [{"stdin": 5}]}')).toEqual({
      ok: false,
      error: "cases.0.stdin: Invalid input: expected string, received number",
    });
    expect(parseCaseFile('{"cases": [], "comapre": "exact"}')).toMatchObject({ ok: false, error: expect.stringContaining("comapre") });
  });

  it("adds a case at the end, keeping the others, or starts a file", () => {
    const added = withCaseAdded(undefined, { name: "from run 1", stdin: "2 2\n", expectedOutput: "4\n" });
    expect(JSON.parse(added)).toEqual({ cases: [{ name: "from run 1", stdin: "2 2\n", expectedOutput: "4\n" }] });
    const again = withCaseAdded(added.replace("{", '{\n  "compare": "exact",'), { name: "two", stdin: "", expectedOutput: "" });
    expect(parseCaseFile(again)).toMatchObject({
      ok: true,
      file: { compare: "exact", cases: [{ name: "from run 1" }, { name: "two" }] },
      lines: [3, 8],
    });
  });
});
