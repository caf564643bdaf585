import * as vscode from "vscode";
import { ImageProgress } from "../host/protocol/methods";
import { RuntimeRegistry } from "../host/runtimes/registry";
import { RunDiagnostics } from "./diagnostics";
import { HostConnection } from "./host-connection";
import { RunHistory } from "./history";
import { ImageProgressView } from "./image-progress";
import { RunController } from "./run-controller";
import { RunTerminals } from "./run-terminal";
import { SessionPool } from "./session-pool";
import { StatusBar } from "./status-bar";

/** Wires the parts together; activation is narrow (on CodeBeaker's commands), and starts nothing until a run. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel("CodeBeaker", { log: true });
  const host = new HostConnection(context, log);
  const registry = RuntimeRegistry.builtIn();
  const sessions = new SessionPool(host);
  const terminals = new RunTerminals();
  const diagnostics = new RunDiagnostics();
  const status = new StatusBar();
  const history = new RunHistory();
  const images = new ImageProgressView(log);
  const runs = new RunController(host, registry, sessions, terminals, diagnostics, status, history);

  host.onDidChangeState((state) => status.setHost(state));
  host.onNotification(ImageProgress.type, (progress) => images.handle(progress));

  const command = (id: string, run: () => unknown) => vscode.commands.registerCommand(id, run);
  context.subscriptions.push(
    log,
    host,
    sessions,
    terminals,
    diagnostics,
    status,
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
    command("codebeaker.showHistory", () => history.show()),
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
