import * as vscode from "vscode";
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";
import type { NotificationType, RequestType } from "vscode-jsonrpc";
import type { NotificationsSubscribeParams } from "../contract/protocol/methods";
import { logHostLines } from "./host-log";

export type HostState = "stopped" | "starting" | "running" | "restarting";

const RESTARTS_ALLOWED = 5;
const RESTART_WINDOW_MS = 3 * 60_000;

/**
 * The CodeBeaker host as this window sees it: a separate Node process started through vscode-languageclient
 * on first use, restarted when it dies (a few times, then it says so), logging to one output channel.
 */
export class HostConnection implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient> | undefined;
  private readonly stateEmitter = new vscode.EventEmitter<HostState>();
  private readonly restartedEmitter = new vscode.EventEmitter<void>();
  private readonly notificationHandlers: Array<(client: LanguageClient) => vscode.Disposable> = [];
  private readonly crashes: number[] = [];

  /** The host's state, for the status bar. */
  readonly onDidChangeState = this.stateEmitter.event;
  /** The host process was replaced: every session it had is gone. */
  readonly onDidRestart = this.restartedEmitter.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
  ) {}

  /** The running client, starting the host if it is not running yet. */
  async ready(): Promise<LanguageClient> {
    if (this.client?.isRunning()) return this.client;
    this.starting ??= this.start().finally(() => (this.starting = undefined));
    return this.starting;
  }

  async request<P, R>(type: RequestType<P, R, void>, params: P, token?: vscode.CancellationToken): Promise<R> {
    const client = await this.ready();
    // (languageclient wraps the param type in a conditional type generic code cannot satisfy; the type is one.)
    return client.sendRequest(type, params as never, token);
  }

  async notify<P>(type: NotificationType<P>, params: P): Promise<void> {
    const client = await this.ready();
    await client.sendNotification(type, params as never);
  }

  /** Handles a host notification now and after every restart. */
  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void): void {
    const install = (client: LanguageClient) => client.onNotification(type, handler);
    this.notificationHandlers.push(install);
    if (this.client) this.context.subscriptions.push(install(this.client));
  }

  async restart(): Promise<void> {
    if (!this.client) {
      await this.ready();
      return;
    }
    this.stateEmitter.fire("restarting");
    await this.client.restart();
    this.restartedEmitter.fire();
  }

  private async start(): Promise<LanguageClient> {
    this.stateEmitter.fire("starting");
    const module = this.context.asAbsolutePath("dist/host.js");
    // The run history lives in this workspace's storage (or the window's, with no folder open).
    const storage = this.context.storageUri ?? this.context.globalStorageUri;
    const config = vscode.workspace.getConfiguration("codebeaker");
    const args = [
      "--history-dir",
      vscode.Uri.joinPath(storage, "history").fsPath,
      "--history-max-runs",
      String(config.get<number>("history.maxRuns", 500)),
      "--warm-pool",
      String(config.get<number>("warmPool.size", 1)),
    ];
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.stdio, args },
      debug: { module, transport: TransportKind.stdio, args, options: { env: { ...process.env, CODEBEAKER_LOG: "debug" } } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [], // no language features: only CodeBeaker's own requests
      // The host sends notifications (image.progress, history.changed) only to a client that asks; this asks
      // in the handshake, so the host restarted by the language client is asked again.
      initializationOptions: { notifications: {} satisfies NotificationsSubscribeParams },
      outputChannel: this.log,
      traceOutputChannel: this.log,
      // stdout is the JSON-RPC channel; stderr is the host's log, whose lines carry their level.
      stdioOptions: { stdout: logHostLines, stderr: logHostLines },
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue }),
        closed: () => this.onClosed(),
      },
    };
    const client = new LanguageClient("codebeaker", "CodeBeaker", serverOptions, clientOptions);
    client.onDidChangeState(({ newState }) => {
      if (newState === State.Running) this.stateEmitter.fire("running");
      else if (newState === State.Starting) this.stateEmitter.fire("starting");
      else this.stateEmitter.fire("stopped");
    });
    for (const install of this.notificationHandlers) this.context.subscriptions.push(install(client));
    this.client = client;
    await client.start();
    return client;
  }

  /** The host process ended: restart it unless it keeps dying, and say what happened either way. */
  private onClosed() {
    const now = Date.now();
    this.crashes.push(now);
    while (this.crashes.length && now - this.crashes[0]! > RESTART_WINDOW_MS) this.crashes.shift();
    this.restartedEmitter.fire();
    if (this.crashes.length > RESTARTS_ALLOWED) {
      void vscode.window
        .showErrorMessage("The CodeBeaker host stopped five times in three minutes and is not restarted.", "Show Log", "Restart")
        .then((choice) => (choice === "Show Log" ? this.log.show() : choice === "Restart" ? this.restart() : undefined));
      return { action: CloseAction.DoNotRestart, message: "The CodeBeaker host keeps stopping; see its log." };
    }
    this.log.warn("The CodeBeaker host stopped; restarting it. Its sessions are gone.");
    this.stateEmitter.fire("restarting");
    return { action: CloseAction.Restart, handled: true };
  }

  async dispose(): Promise<void> {
    await this.client?.dispose();
    this.stateEmitter.dispose();
    this.restartedEmitter.dispose();
  }
}
