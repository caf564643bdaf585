import * as vscode from "vscode";
import { HistoryChanged, ImageProgress } from "../contract/protocol/methods";
import { RuntimeRegistry } from "../contract/runtimes/registry";
import { RunDiagnostics } from "./diagnostics";
import { HISTORY_SCHEME, HistoryDocuments, historyActions } from "./history-actions";
import { HISTORY_VIEW, HistoryPanel } from "./history-panel";
import { HostConnection } from "./host-connection";
import { ImageProgressView } from "./image-progress";
import { RunController } from "./run-controller";
import { RunTerminals } from "./run-terminal";
import { SessionPool } from "./session-pool";
import { StatusBar } from "./status-bar";
import { addLastRunAsCase, TestCaseLenses } from "./test-cases/commands";
import { TestExplorer } from "./test-cases/test-explorer";

/** Wires the parts together; activation is narrow (CodeBeaker's commands and panel), and starts nothing until used. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel("CodeBeaker", { log: true });
  const host = new HostConnection(context, log);
  const registry = RuntimeRegistry.builtIn();
  const sessions = new SessionPool(host);
  const terminals = new RunTerminals();
  const diagnostics = new RunDiagnostics();
  const status = new StatusBar();
  const images = new ImageProgressView(log);
  const runs = new RunController(host, registry, sessions, terminals, diagnostics, status, images);
  const rerun = async (uri: vscode.Uri) => {
    await vscode.window.showTextDocument(uri, { preview: false, viewColumn: vscode.ViewColumn.One });
    await runs.run();
  };
  const tests = new TestExplorer({ judge: (source, request) => runs.judge(source, request), stop: (runId) => runs.stopRun(runId) });
  const panel = new HistoryPanel(context.extensionUri, host, historyActions(host, rerun), () => runs.workspaces());

  host.onDidChangeState((state) => status.setHost(state));
  host.onNotification(ImageProgress.type, (progress) => images.handle(progress));
  host.onNotification(HistoryChanged.type, ({ run }) => panel.runRecorded(run));

  const command = (id: string, run: () => unknown) => vscode.commands.registerCommand(id, run);
  context.subscriptions.push(
    log,
    host,
    sessions,
    terminals,
    diagnostics,
    status,
    panel,
    tests,
    vscode.languages.registerCodeLensProvider({ scheme: "file" }, new TestCaseLenses(tests)),
    command("codebeaker.runTestCases", (uri?: vscode.Uri) => {
      const source = uri ?? vscode.window.activeTextEditor?.document.uri;
      return source ? tests.runFile(source) : vscode.window.showWarningMessage("CodeBeaker: open the file whose test cases to run.");
    }),
    command("codebeaker.addTestCase", () => addLastRunAsCase((source) => runs.lastRun(source))),
    vscode.workspace.registerTextDocumentContentProvider(HISTORY_SCHEME, new HistoryDocuments(host)),
    vscode.window.registerWebviewPanelSerializer(HISTORY_VIEW, {
      deserializeWebviewPanel: async (restored) => panel.restore(restored),
    }),
    command("codebeaker.run", () => runs.run()),
    command("codebeaker.runSelection", () => runs.run({ selection: true })),
    command("codebeaker.runWithLanguage", async () => {
      const language = await vscode.window.showQuickPick(
        registry.all().map((runtime) => ({ label: runtime.manifest.language, description: runtime.manifest.displayName })),
        { title: "Run in Sandbox as…" },
      );
      if (language) await runs.run({ language: language.label });
    }),
    command("codebeaker.stop", () => runs.stop()),
    command("codebeaker.showHistory", () => panel.show()),
    command("codebeaker.benchmark", async () => {
      const answer = await vscode.window.showInputBox({
        title: "CodeBeaker: Benchmark in Sandbox",
        prompt: "How many runs?",
        value: "20",
        validateInput: (value) => (/^\d+$/.test(value) && +value >= 1 && +value <= 1000 ? undefined : "A whole number from 1 to 1000"),
      });
      if (answer) await runs.benchmark(Number(answer), (result) => panel.showBenchmark(result));
    }),
    command("codebeaker.restartHost", () => host.restart()),
    command("codebeaker.closeAllSessions", async () => {
      const closed = await sessions.closeAll();
      void vscode.window.showInformationMessage(`CodeBeaker closed ${closed} session${closed === 1 ? "" : "s"}.`);
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => status.setActivity("idle")),
  );
}

export function deactivate(): void {
  // Everything is in context.subscriptions: the host's sessions close with it.
}
