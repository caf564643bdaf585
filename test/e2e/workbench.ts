import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { artifactPath } from "./artifacts";
import type { Toolchain } from "./toolchain";

const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A VS Code workbench in Chromium, showing one folder. */
export class Workbench {
  private constructor(
    private readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  /**
   * Opens `folder` from code-server at `url` in a fresh Chromium profile under `browserDir` and waits for the
   * workbench; the page's console errors and warnings go to `consoleLog`.
   */
  static async open(toolchain: Toolchain, url: string, folder: string, browserDir: string, consoleLog: string): Promise<Workbench> {
    const context = await chromium.launchPersistentContext(join(browserDir, "profile"), {
      executablePath: toolchain.chromium,
      args: chromiumArgs,
      // Chromium's crash reporter keeps its settings under XDG_CONFIG_HOME: this run's, not $HOME's.
      env: { ...process.env, XDG_CONFIG_HOME: join(browserDir, "config") },
      viewport: { width: 1400, height: 900 },
      // Terminal.readAll copies the terminal's whole buffer through the clipboard.
      permissions: ["clipboard-read", "clipboard-write"],
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(60_000);
      writeFileSync(consoleLog, "");
      page.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warning") {
          appendFileSync(consoleLog, `[${message.type()}] ${message.text()}\n`);
        }
      });
      page.on("pageerror", (error) => appendFileSync(consoleLog, `[pageerror] ${error.stack ?? error.message}\n`));
      await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`);
      await page.locator(".monaco-workbench").waitFor();
      return new Workbench(context, page);
    } catch (error) {
      await context.close();
      throw error;
    }
  }

  /**
   * Answers the startup prompt of Workspace Trust as a user who trusts the folder would (the user settings force
   * the prompt; see user-settings.ts). Until then, an extension that needs trust stays disabled.
   */
  async trustFolder(): Promise<void> {
    const dialog = this.page.locator(".monaco-dialog-box").filter({ hasText: "Do you trust the authors" });
    await dialog.getByRole("button", { name: "Yes, I trust the authors" }).click();
    await dialog.waitFor({ state: "detached" });
  }

  /** Saves what the page shows to .artifacts/e2e/<name>.png. */
  async screenshot(name: string): Promise<string> {
    const path = artifactPath(`${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
