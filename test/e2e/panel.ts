import type { Page } from "playwright-core";

/** Shows a view of the bottom panel ("Terminal", "Problems", …) by its tab, opening the panel first if hidden. */
export async function showPanelView(page: Page, name: string): Promise<void> {
  const tab = page
    .locator('.part.panel .composite-bar [role="tab"]')
    .filter({ has: page.locator(".action-label", { hasText: new RegExp(`^${name}$`) }) });
  if (!(await tab.isVisible())) {
    await page.keyboard.press("Control+J"); // View: Toggle Panel, which shows it here since it is hidden
  }
  await tab.click();
  await tab.and(page.locator('[aria-selected="true"]')).waitFor();
}
