import { randomUUID } from "node:crypto";
import * as vscode from "vscode";
import { contentHash } from "../contract/content-hash";
import type { Comparison, JudgeCase, SessionJudgeResult } from "../contract/protocol/judge";
import {
  IsolationStatus,
  RunInput,
  RunOutput,
  RunStage,
  RunStop,
  SessionExecute,
  SessionJudge,
  SessionRepeat,
  WorkspaceSync,
} from "../contract/protocol/methods";
import type { SessionExecuteResult } from "../contract/protocol/session";
import { endedSession } from "../contract/protocol/session-ended";
import { summaryLine } from "../contract/protocol/summary";
import type { RuntimeRegistry } from "../contract/runtimes/registry";
import { readSettings, RunSettings } from "./configuration";
import { sessionParams } from "./session-params";
import type { BenchmarkResult } from "../webview/messages";
import type { RunDiagnostics } from "./diagnostics";
import type { HostConnection } from "./host-connection";
import type { ImageProgressView } from "./image-progress";
import { scanFolder } from "./mirror/workspace-files";
import type { RunTerminals } from "./run-terminal";
import { describeRunFailure } from "./run-failure";
import { RunTarget, targetOf } from "./run-target";
import type { PooledSession, SessionPool } from "./session-pool";
import type { StatusBar } from "./status-bar";

const MAX_MIRRORED_FILES = 20_000;

interface ActiveRun {
  runId: string;
  target: string;
}

/** Run in Sandbox, from the editor to the terminal, the Problems panel, the status bar and the history. */
export class RunController {
  private readonly active = new Map<string, ActiveRun>();
  private readonly outputs = new Map<string, (stream: "stdout" | "stderr", text: string) => void>();
  private readonly stages = new Map<string, (stage: "compile" | "run") => void>();
  private warnedAboutIsolation = false;
  private readonly scopes = new Set<string>();
  /** What the last run of each file (by URI) read and wrote: the makings of a test case. */
  private readonly lastRuns = new Map<string, { stdin: string; stdout: string }>();

  constructor(
    private readonly host: HostConnection,
    private readonly registry: RuntimeRegistry,
    private readonly sessions: SessionPool,
    private readonly terminals: RunTerminals,
    private readonly diagnostics: RunDiagnostics,
    private readonly status: StatusBar,
    private readonly images: ImageProgressView,
  ) {
    host.onNotification(RunOutput.type, ({ runId, stream, text }) => this.outputs.get(runId)?.(stream, text));
    host.onNotification(RunStage.type, ({ runId, stage }) => this.stages.get(runId)?.(stage));
  }

  async run(options: { language?: string; selection?: boolean } = {}): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showWarningMessage("CodeBeaker: open the file to run first.");
      return;
    }
    const target = targetOf(editor, this.registry, options);
    if (typeof target === "string") {
      void vscode.window.showWarningMessage(target);
      return;
    }
    if (this.active.has(target.key)) {
      void vscode.window.showInformationMessage(`${target.label} is already running (CodeBeaker: Stop ends it).`);
      return;
    }
    const settings = readSettings(target.folder?.uri ?? editor.document.uri);
    const terminal = this.terminals.for(target.key, target.label);
    await terminal.show();
    this.status.setActivity("preparing");
    // An image built for this run (its language's, on first use) shows its steps here while the run waits.
    const building = this.images.watch(target.runtime.manifest.language, (progress) => {
      if (progress.phase === "start") this.status.setActivity("building");
      // A failure's message ends with the build's last lines; its first line says what failed.
      terminal.note(progress.phase === "step" ? `  ${progress.message}` : (progress.message.split("\n")[0] ?? ""));
    });
    try {
      await this.explainIsolation(settings);
      const answer = await this.execute(target, settings, terminal);
      if (!answer) return;
      terminal.end(summaryLine(answer.result), answer.result.success);
      this.diagnostics.publish(target.key, answer.result.diagnostics, target.locate);
      this.status.setLast(answer.result);
    } catch (error) {
      const failure = describeRunFailure(error, target.runtime.manifest.language);
      terminal.end(`── could not run: ${failure.message}`, false);
      this.status.setFailed(failure.message);
      this.host.log.error(`running ${target.label}: ${failure.message}`);
      const actions = failure.setting ? ["Open Settings", "Show Log"] : ["Show Log"];
      void vscode.window.showErrorMessage(`CodeBeaker could not run ${target.label}: ${failure.message}`, ...actions).then((choice) => {
        if (choice === "Open Settings") void vscode.commands.executeCommand("workbench.action.openSettings", failure.setting);
        else if (choice) this.host.log.show();
      });
    } finally {
      building.dispose();
    }
  }

  /** Stops the run of the active editor's file, or else the latest run. */
  async stop(): Promise<void> {
    const key = vscode.window.activeTextEditor?.document.uri.toString();
    const run = (key && (this.active.get(key) ?? this.active.get(`${key}#selection`))) || [...this.active.values()].at(-1);
    if (run) await this.host.request(RunStop.type, { runId: run.runId });
  }

  /** Stops a run (or a judge) by the runId it was started with. */
  async stopRun(runId: string): Promise<void> {
    await this.host.request(RunStop.type, { runId });
  }

  /**
   * Runs the active editor's file `times` times in its warm session (the seed's repeat) and shows the
   * statistics in the history panel.
   */
  async benchmark(times: number, show: (result: BenchmarkResult) => void): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const target = editor ? targetOf(editor, this.registry, {}) : "CodeBeaker: open the file to benchmark first.";
    if (typeof target === "string") {
      void vscode.window.showWarningMessage(target);
      return;
    }
    const settings = readSettings(target.folder?.uri ?? editor!.document.uri);
    const stats = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `CodeBeaker: running ${target.label} ${times} times` },
      () =>
        this.withSession(target, settings, (session) =>
          this.host.request(SessionRepeat.type, { sessionId: session.info.sessionId, command: target.command, times }),
        ),
    );
    show({ label: target.label, language: target.runtime.manifest.language, stats });
  }

  /** Judges a file's test cases in its session (session.judge), its folder mirrored first as for a run. */
  async judge(source: vscode.Uri, request: { cases: JudgeCase[]; compare?: Comparison; runId: string }): Promise<SessionJudgeResult> {
    const target = targetOf({ document: await vscode.workspace.openTextDocument(source) }, this.registry, {});
    if (typeof target === "string") throw new Error(target);
    if (target.command.type !== "run_file") throw new Error(`${target.label} is not a file on disk`);
    const { path } = target.command;
    const settings = readSettings(target.folder?.uri ?? source);
    return this.withSession(target, settings, (session) =>
      this.host.request(SessionJudge.type, { sessionId: session.info.sessionId, path, ...request }),
    );
  }

  /** The stdin and stdout of the file's last run in this window, if it ran. */
  lastRun(source: vscode.Uri): { stdin: string; stdout: string } | undefined {
    return this.lastRuns.get(source.toString());
  }

  /** The workspaces this window's runs are recorded in: its folders, and the scopes it ran outside them. */
  workspaces(): string[] {
    const folders = (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.toString());
    return [...new Set([...folders, ...this.scopes])];
  }

  /** Mirrors what the target needs into its session and runs it, retrying once in a new session if it had ended. */
  private async execute(target: RunTarget, settings: RunSettings, terminal: ReturnType<RunTerminals["for"]>) {
    return this.withSession(target, settings, async (session) => ({
      result: await this.follow(target, session, terminal),
      isolation: session.info.isolation,
    }));
  }

  private async withSession<T>(target: RunTarget, settings: RunSettings, work: (session: PooledSession) => Promise<T>): Promise<T> {
    const params = { ...sessionParams(target.runtime.manifest.language, settings, vscode.workspace.isTrusted), workspace: target.scope };
    this.scopes.add(target.scope);
    for (let attempt = 0; ; attempt++) {
      const session = await this.sessions.get(target.scope, params);
      try {
        await this.mirror(target, session, settings);
        return await work(session);
      } catch (error) {
        const ended = endedSession(error);
        if (!ended || attempt > 0) throw error;
        this.host.log.info(`session ${ended.sessionId} had ended (${ended.reason}): starting a new one`);
        this.sessions.forget(ended.sessionId);
      }
    }
  }

  private async mirror(target: RunTarget, session: PooledSession, settings: RunSettings): Promise<void> {
    let files;
    if (target.folder) {
      const openText = new Map(
        vscode.workspace.textDocuments
          .filter((document) => document.isDirty && document.uri.scheme === "file")
          .map((document) => [document.uri.fsPath, document.getText()] as const),
      );
      const scan = await scanFolder(target.folder.uri.fsPath, {
        exclude: settings.mirrorExclude,
        maxFileBytes: settings.maxFileBytes,
        maxFiles: MAX_MIRRORED_FILES,
        openText,
      });
      for (const skipped of scan.skipped) this.host.log.debug(`not mirrored: ${skipped.path} (${skipped.reason})`);
      files = scan.files;
    } else if (target.loose) {
      const content = Buffer.from(target.loose.text, "utf8");
      files = [{ path: target.loose.path, content, hash: contentHash(content) }];
    } else return;
    const changes = session.mirror.changes(files);
    if (!changes.write.length && !changes.delete.length) return;
    const result = await this.host.request(WorkspaceSync.type, session.mirror.request(session.info.sessionId, changes));
    session.mirror.confirm(changes, result);
    for (const failure of result.failed) this.host.log.warn(`could not mirror ${failure.path}: ${failure.error}`);
  }

  /** Runs the target's command as a followed, interactive run: output to the terminal, keyboard to stdin. */
  private async follow(
    target: RunTarget,
    session: PooledSession,
    terminal: ReturnType<RunTerminals["for"]>,
  ): Promise<SessionExecuteResult> {
    const runId = randomUUID();
    this.active.set(target.key, { runId, target: target.key });
    void vscode.commands.executeCommand("setContext", "codebeaker.running", true);
    this.outputs.set(runId, (stream, text) => terminal.write(text, stream));
    let typed = "";
    const { isolation, config } = session.info;
    this.stages.set(runId, (stage) =>
      stage === "compile"
        ? this.status.setStage("compiling", config.compileTimeoutMs, isolation)
        : this.status.setStage("running", config.timeoutMs, isolation),
    );
    terminal.begin(`${target.label} · ${target.runtime.manifest.language} · ${session.info.isolation}`, {
      send: (text) => {
        typed += text;
        void this.host.notify(RunInput.type, { runId, text });
      },
      end: () => void this.host.notify(RunInput.type, { runId, eof: true }),
      interrupt: () => void this.host.request(RunStop.type, { runId }),
    });
    // The host says as each stage starts; until then, the first one: a compile, for compiled languages.
    if (target.runtime.manifest.compile) this.status.setStage("compiling", config.compileTimeoutMs, isolation);
    else this.status.setStage("running", config.timeoutMs, isolation);
    try {
      const answer = await this.host.request(SessionExecute.type, {
        sessionId: session.info.sessionId,
        command: target.command,
        runId,
        interactive: true,
      });
      if (target.command.type === "run_file") this.lastRuns.set(target.key, { stdin: typed, stdout: answer.stdout });
      return answer;
    } finally {
      this.outputs.delete(runId);
      this.stages.delete(runId);
      this.active.delete(target.key);
      void vscode.commands.executeCommand("setContext", "codebeaker.running", this.active.size > 0);
    }
  }

  /**
   * Says once what isolation will hold the code when it is not what the user might assume: a fallback to
   * bubblewrap without Docker, or Restricted Mode allowing only a container.
   */
  private async explainIsolation(settings: RunSettings): Promise<void> {
    if (this.warnedAboutIsolation || (settings.isolation !== "auto" && vscode.workspace.isTrusted)) return;
    this.warnedAboutIsolation = true;
    const status = await this.host.request(IsolationStatus.type, {});
    if (!vscode.workspace.isTrusted) {
      if (!status.docker.available) {
        throw new Error(`Restricted Mode runs code only in a container, and ${status.docker.reason}`);
      }
      void vscode.window.showInformationMessage("Restricted Mode: CodeBeaker runs this workspace's code only in a container.");
    } else if (!status.docker.available && status.process.available) {
      void vscode.window.showWarningMessage(
        `No Docker engine answers (${status.docker.reason}). CodeBeaker runs code with bubblewrap (process isolation) instead, using this machine's toolchains.`,
      );
    }
  }
}
