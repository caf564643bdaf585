import { randomBytes } from "node:crypto";
import * as vscode from "vscode";
import type { HistoryRun } from "../contract/protocol/history";
import { HistoryList } from "../contract/protocol/methods";
import type { BenchmarkResult, FromPanel, ToPanel } from "../webview/messages";
import type { HostConnection } from "./host-connection";

/** What the panel's buttons and links do; the panel itself only shows. */
export interface HistoryActions {
  rollback(workspace: string, path: string, version: number): Promise<void>;
  /** Puts back the text the file had before its last rollback. */
  undoRollback(workspace: string, path: string): Promise<void>;
  compare(workspace: string, path: string, version: number): Promise<void>;
  rerun(workspace: string, path: string): Promise<void>;
  open(workspace: string, path: string, line: number, column: number): Promise<void>;
}

export const HISTORY_VIEW = "codebeaker.history";

/**
 * The history panel: one instance, restored after a window reload by its serializer, a strict CSP with a nonce,
 * resources only from dist/. It lists the runs of the window's workspaces and hears of new ones as they finish.
 */
export class HistoryPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private lastBenchmark: BenchmarkResult | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly host: HostConnection,
    private readonly actions: HistoryActions,
    private readonly workspaces: () => string[],
  ) {}

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(HISTORY_VIEW, "CodeBeaker Runs", vscode.ViewColumn.Beside, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, "dist")],
    });
    this.attach(panel);
  }

  /** A panel VS Code brings back after a reload. */
  restore(panel: vscode.WebviewPanel): void {
    panel.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, "dist")] };
    this.attach(panel);
  }

  runRecorded(run: HistoryRun): void {
    this.post({ type: "run", run });
  }

  showBenchmark(result: BenchmarkResult): void {
    this.lastBenchmark = result;
    this.show();
    this.post({ type: "benchmark", result });
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.webview.html = this.html(panel.webview);
    panel.onDidDispose(() => (this.panel = undefined));
    panel.webview.onDidReceiveMessage((message: FromPanel) => void this.handle(message));
  }

  private async handle(message: FromPanel): Promise<void> {
    try {
      if (message.type === "ready") {
        await this.refresh();
        if (this.lastBenchmark) this.post({ type: "benchmark", result: this.lastBenchmark });
      } else if (message.type === "rollback") {
        await this.actions.rollback(message.workspace, message.path, message.version);
        this.post({ type: "rolledBack", workspace: message.workspace, path: message.path, version: message.version });
      } else if (message.type === "undoRollback") {
        await this.actions.undoRollback(message.workspace, message.path);
        this.post({ type: "rolledBack", workspace: message.workspace, path: message.path, version: null });
      } else if (message.type === "compare") await this.actions.compare(message.workspace, message.path, message.version);
      else if (message.type === "rerun") await this.actions.rerun(message.workspace, message.path);
      else if (message.type === "open") await this.actions.open(message.workspace, message.path, message.line, message.column);
    } catch (error) {
      void vscode.window.showErrorMessage(`CodeBeaker: ${(error as Error).message}`);
    }
  }

  /** Every run of the window's workspaces, newest first. */
  private async refresh(): Promise<void> {
    const lists = await Promise.all(this.workspaces().map((workspace) => this.host.request(HistoryList.type, { workspace, limit: 500 })));
    const runs = lists.flatMap((list) => list.runs).sort((a, b) => b.at.localeCompare(a.at));
    this.post({ type: "runs", runs });
  }

  private post(message: ToPanel): void {
    void this.panel?.webview.postMessage(message);
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString("base64");
    const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, "dist", name));
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `img-src ${webview.cspSource} data:`,
      `script-src 'nonce-${nonce}'`,
    ].join("; ");
    return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${asset("webview.css")}">
  <title>CodeBeaker Runs</title>
</head>
<body>
  <div id="root"></div>
  <script nonce="${nonce}" src="${asset("webview.js")}"></script>
</body>
</html>`;
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
