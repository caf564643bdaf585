import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { expect, test } from "vitest";
import { runCommandAndPick } from "./quick-input";
import { useVsCode } from "./use-vs-code";
import { activeEditorText, webviewContent } from "./webview";

/**
 * "Run in Sandbox" as a user meets it, in a real VS Code: run a file, see its output in the terminal and its error
 * in Problems, fix it, run again, give a program its input. The steps run in order on one window.
 */

const runInSandbox = "CodeBeaker: Run in Sandbox";
const source = "CodeBeaker";
/** The first run of a language may build its sandbox image. */
const firstRunMs = 5 * 60_000;
const summaryLine = /^── \S+/m;

const ide = useVsCode({ name: "run-in-sandbox", fixture: resolve(__dirname, "../fixtures/e2e-workspace") });

test("a runtime error: its traceback in the terminal, one error on its line in Problems", async () => {
  await ide().openFile("divide.py");
  await ide().runCommand(runInSandbox);
  const output = await ide().terminal.waitFor("CodeBeaker: divide.py", summaryLine, firstRunMs);
  await ide().screenshot("1-divide-terminal");
  expect(output).toContain("ZeroDivisionError");
  expect(output).toMatch(/^── RuntimeError · exit 1/m);

  const problems = await ide().problems.waitFor("an error", (found) => found.length > 0, { source });
  await ide().screenshot("1-divide-problems");
  expect(problems).toEqual([expect.objectContaining({ severity: "error", line: 3, file: expect.stringMatching(/\/divide\.py$/) })]);
  expect(`${problems[0]?.message} ${problems[0]?.source}`).toContain("ZeroDivisionError");
});

test("the fixed file runs clean: its output in the terminal, its error gone from Problems", async () => {
  const fixed = "numerator = 42\ndenominator = 6\nprint(numerator / denominator)\n";
  await ide().openFile("divide.py");
  await ide().replaceText("divide.py", fixed);
  expect(readFileSync(join(ide().folder, "divide.py"), "utf8")).toBe(fixed);
  await ide().terminal.clear("CodeBeaker: divide.py");

  await ide().runCommand(runInSandbox);
  const output = await ide().terminal.waitFor("CodeBeaker: divide.py", summaryLine);
  await ide().screenshot("2-divide-fixed-terminal");
  expect(output).toMatch(/^7\.0$/m);
  expect(output).toMatch(/^── Success · exit 0/m);

  await ide().problems.waitFor("no error", (found) => found.length === 0, { source });
  await ide().screenshot("2-divide-fixed-problems");
});

test("a syntax error in JavaScript: an error on its line in Problems", async () => {
  await ide().openFile("broken.js");
  await ide().runCommand(runInSandbox);
  const output = await ide().terminal.waitFor("CodeBeaker: broken.js", summaryLine, firstRunMs);
  await ide().screenshot("3-broken-terminal");
  expect(output).toContain("SyntaxError");
  expect(output).not.toMatch(/^── Success/m);

  const inBroken = (found: { file: string }[]) => found.filter((problem) => problem.file.endsWith("/broken.js"));
  const problems = await ide().problems.waitFor("an error in broken.js", (found) => inBroken(found).length > 0, { source });
  await ide().screenshot("3-broken-problems");
  expect(inBroken(problems)).toEqual([expect.objectContaining({ severity: "error", line: 2 })]);
});

test("what the user types reaches the program's stdin", async () => {
  await ide().openFile("greet.py");
  await ide().runCommand(runInSandbox);
  await ide().terminal.waitFor("CodeBeaker: greet.py", "name?", firstRunMs);
  // While it waits for its input, the status bar counts its time against the limit (codebeaker.limits.timeoutSeconds).
  await ide()
    .page.locator(".statusbar-item", { hasText: /running \d+ s \/ 10 s/ })
    .waitFor();
  await ide().screenshot("4-greet-waiting-status-bar");
  await ide().terminal.typeLine("CodeBeaker: greet.py", "Ada");
  const output = await ide().terminal.waitFor("CodeBeaker: greet.py", summaryLine);
  await ide().screenshot("4-greet-terminal");
  expect(output).toContain("hello Ada");
  expect(output).toMatch(/^── Success · exit 0/m);
});

test("a program of two files: the mirror brings the module it imports, and its error lands in that module", async () => {
  await ide().openFile("app/main.py");
  await ide().runCommand(runInSandbox);
  const output = await ide().terminal.waitFor("CodeBeaker: main.py", summaryLine, firstRunMs);
  await ide().screenshot("5-two-files-terminal");
  expect(output).toContain("area: 12");
  expect(output).toContain("ValueError: width must not be negative");

  const inShapes = (found: { file: string }[]) => found.filter((problem) => problem.file.endsWith("/shapes.py"));
  const problems = await ide().problems.waitFor("an error in shapes.py", (found) => inShapes(found).length > 0, { source });
  await ide().screenshot("5-two-files-problems");
  expect(inShapes(problems)).toEqual([expect.objectContaining({ severity: "error", line: 3 })]);
});

test("an untitled editor runs as it is, never saved", async () => {
  const page = ide().page;
  await ide().runCommand("File: New Untitled Text File");
  const untitled = page.locator('.editor-group-container.active .editor-instance .monaco-editor[data-uri^="untitled:"]');
  await untitled.waitFor();
  await runCommandAndPick(page, "Change Language Mode", "Python");
  await untitled.locator(".view-lines").click();
  await page.keyboard.insertText("print(6 * 7)\n");
  await ide().runCommand(runInSandbox);
  const output = await ide().terminal.waitFor("CodeBeaker: Untitled-1", summaryLine, firstRunMs);
  await ide().screenshot("6-untitled-terminal");
  expect(output).toMatch(/^42$/m);
  expect(output).toMatch(/^── Success · exit 0/m);
});

test("the history panel: a run's versions, their chart, and Rollback that Undo takes back, Problems following", async () => {
  const page = ide().page;
  const v1 = 'print("version one works")\n';
  const v2 = "print(undefined_name)\n";
  await ide().openFile("history.py");
  await ide().runCommand(runInSandbox);
  expect(await ide().terminal.waitFor("CodeBeaker: history.py", summaryLine, firstRunMs)).toMatch(/^── Success/m);
  await ide().replaceText("history.py", v2);
  await ide().terminal.clear("CodeBeaker: history.py");
  await ide().runCommand(runInSandbox);
  expect(await ide().terminal.waitFor("CodeBeaker: history.py", summaryLine)).toMatch(/^── RuntimeError/m);
  const inHistory = (found: { file: string }[]) => found.filter((problem) => problem.file.endsWith("/history.py"));
  await ide().problems.waitFor("v2's error in history.py", (found) => inHistory(found).length === 1, { source });

  await ide().runCommand("CodeBeaker: Show History");
  const panel = webviewContent(page, "CodeBeaker Runs");
  await panel.locator("vscode-data-grid-row.run").filter({ hasText: "history.py" }).first().waitFor();
  // Choose the file in the panel's filter, as the dropdown does when a user picks it.
  await panel.locator("vscode-dropdown.filter-file").evaluate((select, file) => {
    (select as unknown as { value: string }).value = file;
    select.dispatchEvent(new Event("change"));
  }, "history.py");
  const rows = panel.locator("vscode-data-grid-row.run");
  await expect.poll(() => rows.count()).toBe(2);
  expect(await rows.nth(0).innerText()).toMatch(/v2[\s\S]*RuntimeError/);
  expect(await rows.nth(1).innerText()).toMatch(/v1[\s\S]*Success/);
  await rows.filter({ hasText: "v1" }).click();
  await panel.locator("svg.chart[aria-label='Wall time by version'] circle").nth(1).waitFor();
  expect(await panel.locator("vscode-dropdown.filter-file").evaluate((select) => (select as unknown as { value: string }).value)).toBe(
    "history.py",
  );
  // The whole window for the panel, so its screenshot shows the table and the chart.
  await ide().runCommand("View: Close Primary Side Bar");
  await ide().runCommand("View: Hide Panel");
  await ide().runCommand("View: Toggle Maximize Editor Group");
  await panel.locator("svg.chart[aria-label='Peak memory by version']").scrollIntoViewIfNeeded();
  await ide().screenshot("7-history-panel");
  await ide().runCommand("View: Toggle Maximize Editor Group");
  await ide().runCommand("View: Toggle Primary Side Bar Visibility");

  await panel.locator("vscode-button", { hasText: "Rollback to v1" }).click();
  await expect.poll(() => readFileSync(join(ide().folder, "history.py"), "utf8")).toBe(v1);
  // The rollback's last steps show the file and then say so: wait for the message, or the editor it shows could
  // take the focus from Quick Open below and close it.
  await page.locator(".notifications-toasts .notification-toast", { hasText: "history.py is back to v1" }).waitFor();
  await ide().openFile("history.py");
  expect(await activeEditorText(page)).toBe(v1.trimEnd());
  // v2's error was about v2's text: with v1 back, it is gone from Problems.
  await ide().problems.waitFor("no error in history.py", (found) => inHistory(found).length === 0, { source });
  await ide().screenshot("8-after-rollback");

  // The panel's Undo puts v2 back (on disk too: the next test's Rerun runs it), and with it v2's error.
  await panel.locator("vscode-button", { hasText: "Undo rollback to v1" }).click();
  await expect.poll(() => readFileSync(join(ide().folder, "history.py"), "utf8")).toBe(v2);
  await expect.poll(() => activeEditorText(page)).toBe(v2.trimEnd());
  const back = await ide().problems.waitFor("v2's error again", (found) => inHistory(found).length === 1, { source });
  expect(inHistory(back)).toEqual([expect.objectContaining({ severity: "error", line: 1 })]);
  await ide().screenshot("9-after-undo");
});

test("the history panel survives a window reload, and a Rerun from it appears there as it finishes", async () => {
  const page = ide().page;
  // As a user reloads: the workbench saves its state (the panel's included) before the page goes, which a bare
  // page.reload() does not wait for.
  const reloaded = page.waitForEvent("framenavigated", { predicate: (frame) => frame === page.mainFrame() });
  await ide().runCommand("Developer: Reload Window");
  await reloaded;
  await page.locator(".monaco-workbench").waitFor();
  const panel = webviewContent(page, "CodeBeaker Runs");
  const rows = panel.locator("vscode-data-grid-row.run");
  await expect.poll(() => rows.count(), { timeout: 60_000 }).toBe(2); // restored, with its filter on history.py
  await rows.filter({ hasText: "v2" }).click();
  await panel.locator("vscode-button", { hasText: "Rerun" }).click();
  await expect.poll(() => rows.count(), { timeout: 60_000 }).toBe(3);
  expect(await rows.nth(0).innerText()).toMatch(/v3[\s\S]*RuntimeError/);
  await ide().screenshot("10-panel-after-reload-and-rerun");
});
