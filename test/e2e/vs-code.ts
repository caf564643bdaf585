import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { artifactPath } from "./artifacts";
import { codeServerDirs, installExtension, startCodeServer, type CodeServer } from "./code-server";
import { replaceEditorText } from "./editor";
import { Problems } from "./problems";
import { openFile, runCommand } from "./quick-input";
import { Terminal } from "./terminal";
import type { Toolchain } from "./toolchain";
import { writeUserSettings } from "./user-settings";
import { Workbench } from "./workbench";

/**
 * A real VS Code (code-server in Chromium) with one extension installed, showing a copy of a fixture folder
 * (plus `files`, by path in it: what a test makes up as it starts, such as settings naming a fresh image).
 * Everything lives in a fresh temporary directory (extensions, user data, browser profile, the folder), removed
 * by `close`. For diagnosis, .artifacts/e2e/ gets <name>-code-server.log (code-server's output, which includes the
 * extension host's) and <name>-browser-console.log (the workbench's console errors and warnings).
 */
export class VsCode {
  readonly terminal: Terminal;
  readonly problems: Problems;

  private constructor(
    readonly folder: string,
    readonly workbench: Workbench,
    private readonly server: CodeServer,
    private readonly root: string,
  ) {
    this.terminal = new Terminal(workbench.page);
    this.problems = new Problems(workbench.page);
  }

  static async launch({
    name,
    toolchain,
    vsix,
    fixture,
    files = {},
  }: {
    name: string;
    toolchain: Toolchain;
    vsix: string;
    fixture: string;
    files?: Record<string, string>;
  }): Promise<VsCode> {
    const root = mkdtempSync(join(tmpdir(), "codebeaker-e2e-"));
    const folder = join(root, "workspace");
    cpSync(fixture, folder, { recursive: true });
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(folder, path)), { recursive: true });
      writeFileSync(join(folder, path), content);
    }
    const dirs = codeServerDirs(root);
    writeUserSettings(dirs.userData);
    const log = artifactPath(`${name}-code-server.log`);
    writeFileSync(log, "");
    let server: CodeServer | undefined;
    try {
      await installExtension(toolchain, dirs, vsix, log);
      server = await startCodeServer(toolchain, dirs, folder, log);
      const consoleLog = artifactPath(`${name}-browser-console.log`);
      const workbench = await Workbench.open(toolchain, server.url, folder, join(root, "chromium"), consoleLog);
      await workbench.trustFolder();
      return new VsCode(folder, workbench, server, root);
    } catch (error) {
      await server?.stop();
      rmSync(root, { recursive: true, force: true });
      throw error;
    }
  }

  get page() {
    return this.workbench.page;
  }

  openFile(relativePath: string) {
    return openFile(this.page, relativePath);
  }

  runCommand(title: string, timeoutMs?: number) {
    return runCommand(this.page, title, timeoutMs);
  }

  /** Replaces the whole text of the active editor, which shows `relativePath`, and saves it. */
  replaceText(relativePath: string, text: string) {
    return replaceEditorText(this.page, relativePath, text);
  }

  screenshot(name: string) {
    return this.workbench.screenshot(name);
  }

  async close(): Promise<void> {
    try {
      await this.workbench.close();
    } finally {
      await this.server.stop();
      rmSync(this.root, { recursive: true, force: true });
    }
  }
}
