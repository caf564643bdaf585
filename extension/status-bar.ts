import * as vscode from "vscode";
import type { SessionExecuteResult } from "../host/protocol/session";
import type { HostState } from "./host-connection";

/**
 * One status bar item: the isolation in use, the session's state, and how the last run ended and how long it
 * took. It says so when the host is starting or restarting, and when Restricted Mode limits runs to containers.
 */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("codebeaker.status", vscode.StatusBarAlignment.Left, 10);
  private host: HostState = "stopped";
  private isolation: string | undefined;
  private activity: "idle" | "preparing" | "running" = "idle";
  private last: SessionExecuteResult | { failure: string } | undefined;

  constructor() {
    this.item.name = "CodeBeaker";
    this.item.command = "codebeaker.showHistory";
    this.render();
    this.item.show();
  }

  setHost(state: HostState): void {
    this.host = state;
    this.render();
  }

  setActivity(activity: "idle" | "preparing" | "running", isolation?: string): void {
    this.activity = activity;
    if (isolation) this.isolation = isolation;
    this.render();
  }

  setLast(result: SessionExecuteResult): void {
    this.last = result;
    this.activity = "idle";
    this.render();
  }

  /** The last run could not run at all (no sandbox, a setting's mistake): that, not the run before it. */
  setFailed(message: string): void {
    this.last = { failure: message };
    this.activity = "idle";
    this.render();
  }

  private render(): void {
    const restricted = !vscode.workspace.isTrusted;
    const where = this.isolation ?? (restricted ? "container only" : "sandbox");
    let text: string;
    let tooltip: string;
    if (this.host === "starting" || this.host === "restarting") {
      text = `$(sync~spin) CodeBeaker ${this.host === "restarting" ? "restarting" : "starting"}`;
      tooltip = this.host === "restarting" ? "The CodeBeaker host stopped and is being restarted." : "Starting the CodeBeaker host.";
    } else if (this.activity !== "idle") {
      text = `$(sync~spin) ${where} · ${this.activity === "preparing" ? "preparing" : "running"}`;
      tooltip = this.activity === "preparing" ? "Starting the sandbox and mirroring the workspace." : "A program is running (CodeBeaker: Stop).";
    } else if (this.last && "failure" in this.last) {
      text = `$(error) ${where} · could not run`;
      tooltip = `Last run could not run: ${this.last.failure}\nClick for the run history.`;
    } else if (this.last) {
      const ok = this.last.success;
      const wall = this.last.metrics ? ` ${Math.round(this.last.metrics.wallMs)} ms` : "";
      text = `${ok ? "$(pass)" : "$(error)"} ${where} · ${this.last.status}${wall}`;
      tooltip = `Last run: ${this.last.status}${wall}. Click for the run history.`;
    } else {
      text = `$(beaker) ${where}`;
      tooltip = "CodeBeaker: Run in Sandbox runs the current file.";
    }
    if (restricted) tooltip += "\nRestricted Mode: code runs only in a container.";
    this.item.text = text;
    this.item.tooltip = tooltip;
  }

  dispose(): void {
    this.item.dispose();
  }
}
