import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import { removeLeftovers, sandboxContainerIds } from "./sandbox-leftovers";
import { runCommandAndPick } from "./quick-input";
import { findToolchain } from "./toolchain";
import { VsCode } from "./vs-code";
import { buildVsix } from "./vsix";

/**
 * "Run in Sandbox" as a user meets it, in a real VS Code: run a file, see its output in the terminal and its error
 * in Problems, fix it, run again, give a program its input. The steps run in order on one window.
 */

const runInSandbox = "CodeBeaker: Run in Sandbox";
const source = "CodeBeaker";
/** The first run of a language may build its sandbox image. */
const firstRunMs = 5 * 60_000;
const summaryLine = /^── \S+/m;

let vscode: VsCode | undefined;
let containersBefore = new Set<string>();

function ide(): VsCode {
  if (!vscode) throw new Error("VS Code did not start: see beforeAll's error");
  return vscode;
}

beforeAll(async () => {
  const toolchain = findToolchain();
  const vsix = await buildVsix();
  containersBefore = await sandboxContainerIds();
  const fixture = resolve(__dirname, "../fixtures/e2e-workspace");
  vscode = await VsCode.launch({ name: "run-in-sandbox", toolchain, vsix, fixture });
});

afterAll(async () => {
  await vscode?.close();
  expect(await removeLeftovers(containersBefore), "sandbox containers left after VS Code closed").toEqual([]);
});

beforeEach(({ task, onTestFailed }) => {
  onTestFailed(async () => {
    await vscode?.screenshot(`failed-${task.name.replace(/\W+/g, "-")}`);
  });
});

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
