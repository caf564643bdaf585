import type { Page } from "playwright-core";

/** Shows a view of the bottom panel ("Terminal", "Problems", …) by its tab, opening the panel first if hidden. */
export async function showPanelView(page: Page, name: string): Promise<void> {
  const tab = page
    .locator('.part.panel .composite-bar [role="tab"]')
    .filter({ has: page.locator(".action-label", { hasText: new RegExp(`^${name}$`) }) });
  // Ctrl+J toggles the panel: pressed while the panel is on its way in (a run shows its terminal), it hides it
  // again. So press, wait for the tab, and look again, until it is there.
  for (let attempt = 1; !(await tab.isVisible()); attempt++) {
    await page.keyboard.press("Control+J");
    try {
      await tab.waitFor({ state: "visible", timeout: 3_000 });
    } catch (error) {
      if (attempt === 5) throw new Error(`the panel's ${name} tab did not show after ${attempt} presses of Ctrl+J`, { cause: error });
    }
  }
  await tab.click();
  await tab.and(page.locator('[aria-selected="true"]')).waitFor();
}
