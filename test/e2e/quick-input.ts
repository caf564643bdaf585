import { basename } from "node:path";
import type { Page } from "playwright-core";

/** Opens a file of the workspace through Quick Open (Ctrl+P) and waits until its editor is the active one. */
export async function openFile(page: Page, relativePath: string): Promise<void> {
  const name = basename(relativePath);
  const input = await openQuickInput(page, "Control+P");
  await input.fill(relativePath);
  await page.locator(".quick-input-list .monaco-list-row.focused").filter({ hasText: name }).waitFor();
  await page.keyboard.press("Enter");
  await activeEditor(page, relativePath).waitFor();
}

/** The active editor's Monaco instance, when it shows the file at `relativePath`. */
export function activeEditor(page: Page, relativePath: string, state: "" | ".focused" = "") {
  return page.locator(`.editor-group-container.active .editor-instance .monaco-editor${state}[data-uri$="/${relativePath}"]`);
}

/**
 * Runs a command by its title from the command palette (F1): waits for the entry with exactly that title and
 * picks it. A command contributed by an extension appears once the extension is known, so the palette is
 * reopened until the entry shows or the timeout passes.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const input = await openQuickInput(page, "F1");
    await input.fill(`>${title}`);
    const entry = page.locator(
      `.quick-input-list .monaco-list-row[aria-label=${JSON.stringify(title)}], .quick-input-list .monaco-list-row[aria-label^=${JSON.stringify(`${title}, `)}]`,
    );
    try {
      await entry.first().waitFor({ timeout: Math.min(5_000, Math.max(deadline - Date.now(), 1)) });
    } catch (error) {
      await page.keyboard.press("Escape");
      await quickInput(page).waitFor({ state: "hidden" });
      if (Date.now() > deadline) throw new Error(`no command titled "${title}" in the palette`, { cause: error });
      continue;
    }
    await entry.first().click();
    await quickInput(page).waitFor({ state: "hidden" });
    return;
  }
}

/**
 * Runs a command that asks for a choice (Change Language Mode, say) and picks `choice` from the list it shows.
 * The palette's widget stays open between the two: the second list is told by its focused entry.
 */
export async function runCommandAndPick(page: Page, title: string, choice: string): Promise<void> {
  const input = await openQuickInput(page, "F1");
  await input.fill(`>${title}`);
  await page.locator(`.quick-input-list .monaco-list-row.focused[aria-label^=${JSON.stringify(title)}]`).waitFor();
  await page.keyboard.press("Enter");
  // The second list replaces the first in the same widget: its focused entry is no longer the command.
  await page.locator(`.quick-input-list .monaco-list-row.focused:not([aria-label^=${JSON.stringify(title)}])`).waitFor();
  await input.fill(choice);
  await page.locator(`.quick-input-list .monaco-list-row.focused[aria-label^=${JSON.stringify(choice)}]`).waitFor();
  await page.keyboard.press("Enter");
  await input.waitFor({ state: "hidden" });
}

/** Presses the key that opens Quick Open or the palette until its input shows (at most three times). */
async function openQuickInput(page: Page, key: string) {
  const input = quickInput(page);
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press(key);
    try {
      await input.waitFor({ timeout: 5_000 });
      return input;
    } catch (error) {
      if (attempt === 3) throw error;
      await focusWorkbench(page);
    }
  }
}

/**
 * Takes the focus out of a webview: a key pressed while a webview's frame has it reaches the workbench only if
 * the webview passes it on, which it may not yet do right after its content changed (a click on Rollback).
 */
async function focusWorkbench(page: Page): Promise<void> {
  await page.evaluate("document.activeElement && document.activeElement.blur()");
}

function quickInput(page: Page) {
  return page.locator(".quick-input-widget .quick-input-box input");
}
