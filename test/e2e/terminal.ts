import type { Page } from "playwright-core";
import { showPanelView } from "./panel";
import { runCommand } from "./quick-input";
import { waitUntil } from "./wait";

/** What the page's functions use of the browser (the project's types have no DOM library). */
interface Browser {
  navigator: { clipboard: { readText(): Promise<string>; writeText(text: string): Promise<void> } };
}

/**
 * The integrated terminal, read two ways: `read` takes the rows on screen from xterm.js's DOM renderer
 * (gpuAcceleration "off"), cheap enough to poll for a signal such as the last line of a run; `readAll` copies the
 * whole buffer, scrollback included, through the clipboard (Select All, Copy), for assertions on everything a run
 * printed. `clear` before a run that must be told apart from an earlier one in the same terminal.
 */
export class Terminal {
  constructor(private readonly page: Page) {}

  /** Makes the terminal named `name` the one shown, once it exists. */
  async select(name: string, timeoutMs = 60_000): Promise<void> {
    await showPanelView(this.page, "Terminal");
    const single = this.page.locator(".part.panel .single-terminal-tab").filter({ hasText: name });
    const inList = this.page.locator(".terminal-tabs-entry").filter({ hasText: name });
    const either = single.or(inList);
    await either.first().waitFor({ timeout: timeoutMs });
    if (await inList.count()) await inList.first().click();
    await this.activeName().then((active) => {
      if (active !== name) throw new Error(`selected terminal "${name}", but "${active}" is the active one`);
    });
  }

  /** The text on screen of the active terminal, rows joined by newlines, trailing blanks dropped. */
  async read(): Promise<string> {
    const rows = this.page.locator(".terminal-wrapper.active .xterm-rows");
    await rows.waitFor();
    const text = await rows.innerText();
    return text
      .replace(/\u00a0/g, " ")
      .replace(/[ \t]+$/gm, "")
      .trimEnd();
  }

  /** The whole buffer of the terminal named `name`, scrollback included, trailing blanks dropped. */
  async readAll(name: string): Promise<string> {
    await this.focus(name);
    await runCommand(this.page, "Terminal: Select All");
    await this.page.locator(".terminal-wrapper.active .xterm.focus").waitFor();
    const sentinel = `codebeaker-e2e-${Date.now()}`;
    await this.page.evaluate((text) => (globalThis as unknown as Browser).navigator.clipboard.writeText(text), sentinel);
    await this.page.keyboard.press("Control+Shift+C"); // Terminal: Copy Selection
    const copied = await waitUntil(
      `terminal "${name}" to be copied`,
      () => this.page.evaluate(() => (globalThis as unknown as Browser).navigator.clipboard.readText()),
      (text) => text !== sentinel,
    );
    // A click clears the selection (Escape could reach the program when the keybinding does not take it).
    await this.page.locator(".terminal-wrapper.active .xterm").click();
    await this.page.locator(".terminal-wrapper.active .xterm-selection div").first().waitFor({ state: "detached" });
    return copied
      .replace(/\u00a0/g, " ")
      .replace(/[ \t]+$/gm, "")
      .trimEnd();
  }

  /**
   * Waits until the rows on screen of the terminal named `name` show `expected` (a substring or a pattern);
   * returns the terminal's whole buffer then.
   */
  async waitFor(name: string, expected: string | RegExp, timeoutMs = 60_000): Promise<string> {
    await this.select(name, timeoutMs);
    const matches = (text: string) => (typeof expected === "string" ? text.includes(expected) : expected.test(text));
    await waitUntil(`terminal "${name}" to show ${String(expected)}`, () => this.read(), matches, { timeoutMs });
    return this.readAll(name);
  }

  /** Types a line into the terminal named `name`, as a user at the keyboard, then Enter. */
  async typeLine(name: string, line: string): Promise<void> {
    await this.focus(name);
    await this.page.keyboard.type(line);
    await this.page.keyboard.press("Enter");
  }

  /** Clears the screen and scrollback of the terminal named `name` (Terminal: Clear). */
  async clear(name: string): Promise<void> {
    await this.select(name);
    await runCommand(this.page, "Terminal: Clear");
    await waitUntil(
      `terminal "${name}" to be cleared`,
      () => this.read(),
      (text) => text.split("\n").length <= 1,
    );
  }

  /** Selects the terminal named `name` and gives it the keyboard. */
  private async focus(name: string): Promise<void> {
    await this.select(name);
    await this.page.locator(".terminal-wrapper.active .xterm").click();
    await this.page.locator(".terminal-wrapper.active .xterm.focus").waitFor();
  }

  private async activeName(): Promise<string> {
    const single = this.page.locator(".part.panel .single-terminal-tab");
    if (await single.isVisible()) return (await single.innerText()).trim();
    return (await this.page.locator(".terminal-tabs-entry.is-active").first().innerText()).trim();
  }
}
