import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { expect, test } from "vitest";
import { showPanelView } from "./panel";
import { useVsCode } from "./use-vs-code";
import { waitUntil } from "./wait";

/**
 * A file's test cases in VS Code's Test Explorer: kept beside it in `<file>.tests.json`, run in the sandbox with
 * one click, a wrong answer shown as expected against actual.
 */

const firstRunMs = 5 * 60_000;
const cases = {
  cases: [
    { name: "adds", stdin: "2 40\n", expectedOutput: "42\n" },
    { name: "off by one", stdin: "1 1\n", expectedOutput: "3\n" },
    { name: "not numbers", stdin: "x y\n", expectedOutput: "" },
  ],
};

const ide = useVsCode({
  name: "test-explorer",
  fixture: resolve(__dirname, "../fixtures/e2e-workspace"),
  files: () => ({
    "tasks/sum.py": "a, b = input().split()\nprint(int(a) + int(b))\n",
    "tasks/sum.py.tests.json": `${JSON.stringify(cases, null, 2)}\n`,
  }),
});

/** The Test Explorer's rows: each item's label and the result its icon shows. */
async function explorerRows() {
  return ide()
    .page.locator(".test-explorer-tree .monaco-list-row")
    .evaluateAll((rows) =>
      rows.map((row) => ({
        label: row.querySelector(".label")?.textContent?.trim() ?? row.textContent?.trim() ?? "",
        result:
          ["passed", "failed", "error", "queued", "skipped"].find((state) => row.querySelector(`.codicon-testing-${state}-icon`)) ?? "",
        collapsed: row.querySelector(".monaco-tl-twistie.collapsible.collapsed") !== null,
      })),
    );
}

test("a file with cases has a CodeLens that says how many", async () => {
  await ide().openFile("tasks/sum.py");
  const lens = ide().page.locator(".codelens-decoration a", { hasText: "Run 3 test cases in Sandbox" });
  await lens.waitFor({ timeout: 60_000 });
  await ide().screenshot("tests-1-codelens");
});

test("the Test Explorer runs the cases in the sandbox: one passes, a wrong answer and a crash fail", async () => {
  await ide().runCommand("Testing: Focus on Test Explorer View");
  await ide().runCommand("Test: Run All Tests");
  const rows = await waitUntil(
    "the three cases with their results",
    async () => {
      const seen = await explorerRows();
      // The file's item may start collapsed: open it, as a user would, to see its cases.
      for (const [index, row] of seen.entries()) {
        if (row.collapsed)
          await ide().page.locator(".test-explorer-tree .monaco-list-row").nth(index).locator(".monaco-tl-twistie").click();
      }
      return seen;
    },
    (seen) => ["adds", "off by one", "not numbers"].every((name) => seen.some((row) => row.label.includes(name) && row.result)),
    { timeoutMs: firstRunMs, intervalMs: 500 },
  );
  await ide().screenshot("tests-2-explorer");
  const resultOf = (name: string) => rows.find((row) => row.label.includes(name))?.result;
  expect(resultOf("adds")).toBe("passed");
  expect(resultOf("off by one")).toBe("failed");
  expect(resultOf("not numbers")).toBe("failed");
  expect(rows.find((row) => row.label.includes("sum.py"))?.result).toBe("failed");
  // The crash is shown on the line of sum.py that raised it, with its exception.
  await ide().openFile("tasks/sum.py");
  await ide().page.locator(".test-error-content-widget", { hasText: "ValueError: invalid literal for int()" }).waitFor({ timeout: 30_000 });
  await ide().screenshot("tests-2-runtime-error");
});

test("a wrong answer opens as a diff of the expected output against the actual one", async () => {
  // Test Results lists each failure with its message; choosing the wrong answer shows expected against actual.
  await showPanelView(ide().page, "Test Results");
  const failure = ide().page.locator(".part.panel .monaco-list-row").filter({ hasText: "off by one" }).filter({ hasText: "Wrong answer" });
  await failure.click();
  const diff = ide().page.locator(".part.panel .monaco-diff-editor");
  await diff.waitFor({ timeout: 30_000 });
  await ide().screenshot("tests-3-diff");
  expect(await failure.textContent()).toContain('Wrong answer: line 1: expected "3", got "2"');
  const sides = await diff.locator(".view-lines").allTextContents();
  expect(sides.map((side) => side.trim())).toEqual(["3", "2"]);
});

test("a run's input and output become a new case with one command", async () => {
  await ide().openFile("tasks/sum.py");
  await ide().runCommand("CodeBeaker: Run in Sandbox");
  await ide().terminal.waitFor("CodeBeaker: sum.py", "sum.py · python", firstRunMs);
  await ide().terminal.typeLine("CodeBeaker: sum.py", "20 22");
  await ide().terminal.waitFor("CodeBeaker: sum.py", /^── Success/m);
  await ide().runCommand("CodeBeaker: Add Last Run as Test Case");
  await ide().page.locator(".notifications-toasts", { hasText: "CodeBeaker added a test case to tasks/sum.py.tests.json" }).waitFor();

  const saved = JSON.parse(readFileSync(join(ide().folder, "tasks/sum.py.tests.json"), "utf8")) as typeof cases;
  expect(saved.cases).toHaveLength(4);
  expect(saved.cases[3]).toEqual({ name: "case 4", stdin: "20 22\n", expectedOutput: "42\n" });
  await ide().runCommand("Testing: Focus on Test Explorer View");
  await waitUntil("the new case in the Test Explorer", explorerRows, (rows) => rows.some((row) => row.label.includes("case 4")));
  await ide().screenshot("tests-4-case-added");
});
