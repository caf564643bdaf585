import { resolve } from "node:path";
import { expect, test } from "vitest";
import { freshPythonBase } from "./custom-image";
import { useVsCode } from "./use-vs-code";

/**
 * What a first-time user meets in a workspace with a folder per language: an image built on first use shows its
 * steps in the terminal, errors land on the file that ran wherever it sits, and a setting's mistake is named.
 */

const runInSandbox = "CodeBeaker: Run in Sandbox";
const source = "CodeBeaker";
/** A run that compiles, or whose image is built first. */
const slowRunMs = 5 * 60_000;
const summaryLine = /^── \S+/m;
const missingImage = "codebeaker-e2e/no-such-image:1";

/** What the page's functions use of the browser (the project's types have no DOM library). */
interface BrowserWindow {
  getComputedStyle(element: unknown): { opacity: string };
}

let pythonBase: Awaited<ReturnType<typeof freshPythonBase>> | undefined;

const ide = useVsCode({
  name: "first-time-user",
  fixture: resolve(__dirname, "../fixtures/e2e-nested"),
  files: async () => {
    pythonBase = await freshPythonBase();
    const settings = { "codebeaker.languages": { python: { image: pythonBase.name }, javascript: { image: missingImage } } };
    return {
      ".vscode/settings.json": JSON.stringify(settings, null, 2),
      // Written here, not kept in the fixture: the project's type check covers test/, and this one is wrong on purpose.
      "ts/main.ts": 'const count: number = "three";\nconsole.log(count);\n',
    };
  },
  cleanup: async () => pythonBase?.remove(),
});

test("an image built on first use streams its steps into the run's terminal", async () => {
  await ide().openFile("py/hello.py");
  await ide().runCommand(runInSandbox);
  await ide().terminal.waitFor("CodeBeaker: hello.py", `FROM ${pythonBase!.name}`, slowRunMs);
  const output = await ide().terminal.waitFor("CodeBeaker: hello.py", summaryLine, slowRunMs);
  await ide().screenshot("user-1-image-built-and-run");
  expect(output).toMatch(/^Building codebeaker\/custom:/m);
  expect(output).toMatch(/Step 1\/\d+ : FROM codebeaker-e2e\/python-base:/);
  expect(output).toContain("hello from an image of my own");
  expect(output).toMatch(/^── Success · exit 0/m);
});

for (const { file, terminal, line, message } of [
  { file: "go/main.go", terminal: "main.go", line: 6, message: /undefined: total/ },
  { file: "ts/main.ts", terminal: "main.ts", line: 1, message: /not assignable to type 'number'/ },
  { file: "java/Main.java", terminal: "Main.java", line: 3, message: /by zero/ },
]) {
  test(`an error in ${file} lands on that file, squiggle and all`, async () => {
    await ide().openFile(file);
    await ide().runCommand(runInSandbox);
    const output = await ide().terminal.waitFor(`CodeBeaker: ${terminal}`, summaryLine, slowRunMs);
    expect(output).not.toMatch(/^── Success/m);
    const onFile = (found: { file: string }[]) => found.filter((problem) => problem.file.endsWith(`/${file}`));
    const problems = await ide().problems.waitFor(`an error in ${file}`, (found) => onFile(found).length > 0, { source });
    const squiggle = ide().page.locator(".editor-group-container.active .monaco-editor .squiggly-error");
    await squiggle.first().waitFor();
    await ide().screenshot(`user-2-${file.replace(/\W+/g, "-")}`);
    expect(onFile(problems)).toEqual([expect.objectContaining({ severity: "error", line, message: expect.stringMatching(message) })]);
    // Not on a file of that name at the folder's root, where the compiler's relative path used to put it.
    const atRoot = `/workspace/${file.slice(file.lastIndexOf("/") + 1)}`;
    expect(problems.filter((problem) => problem.file.endsWith(atRoot))).toEqual([]);
  });
}

test("an image setting that names a missing image: the setting and its value, in the terminal, a notification and the status bar", async () => {
  const page = ide().page;
  await ide().openFile("js/main.js");
  await ide().runCommand(runInSandbox);
  const toast = page.locator(".notifications-toasts .notification-toast", { hasText: "codebeaker.languages.javascript.image" });
  await toast.waitFor({ timeout: slowRunMs });
  await page.locator(".statusbar-item", { hasText: "could not run" }).waitFor();
  // The build's progress notification has closed, and the error's has faded in (a screenshot shows it).
  await page.locator(".notifications-toasts .notification-toast", { hasText: "building" }).waitFor({ state: "detached" });
  const opacity = (element: unknown) => (globalThis as unknown as BrowserWindow).getComputedStyle(element).opacity;
  await expect.poll(() => toast.evaluate(opacity)).toBe("1");
  await ide().screenshot("user-3-setting-error");
  const said = await toast.innerText();
  expect(said).toContain(`the setting codebeaker.languages.javascript.image names "${missingImage}", which cannot be used`);
  expect(said).toContain("Open Settings");
  // The toast covers the terminal's tabs: dismissed, as a user would, before the terminal is read.
  await ide().runCommand("Notifications: Clear All Notifications");
  await toast.waitFor({ state: "detached" });
  const output = await ide().terminal.waitFor("CodeBeaker: main.js", /could not run/);
  expect(output).toContain(`── could not run: the setting codebeaker.languages.javascript.image names "${missingImage}"`);
  expect(output).not.toContain("Internal error");
});
