import type { Page } from "playwright-core";
import { activeEditor } from "./quick-input";

/**
 * Replaces the whole text of the editor showing `relativePath` (which must be the active one) and saves it.
 * The text is inserted as one input, as a paste would be; the user settings turn off auto-closing and
 * auto-indent, so the file gets exactly `text`.
 */
export async function replaceEditorText(page: Page, relativePath: string, text: string): Promise<void> {
  await activeEditor(page, relativePath).locator(".view-lines").click();
  await activeEditor(page, relativePath, ".focused").waitFor();
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(text);
  const tab = page.locator(".editor-group-container.active .tab.active");
  await tab.and(page.locator(".dirty")).waitFor();
  await page.keyboard.press("Control+S");
  await tab.and(page.locator(".dirty")).waitFor({ state: "detached" });
}
