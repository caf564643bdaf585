import * as vscode from "vscode";
import type { SessionExecuteResult } from "../host/protocol/session";
import type { HostState } from "./host-connection";
import { lastRunTimes, warmNote } from "./run-times";

/** What this window's latest run is doing: waiting for its sandbox (or its image's build), or running a stage. */
export type Activity = "idle" | "preparing" | "building" | "compiling" | "running";

/** A stage that is running, with its time limit, for the elapsed time shown against it. */
interface Stage {
  since: number;
  limitMs: number;
}

/** `3 s`, `1 min 05 s`. */
export function seconds(ms: number): string {
  const total = Math.floor(ms / 1000);
  return total < 60 ? `${total} s` : `${Math.floor(total / 60)} min ${String(total % 60).padStart(2, "0")} s`;
}

/**
 * One status bar item: the isolation in use, the session's state, and how the last run ended and how long it
 * took. It says so when the host is starting or restarting, and when Restricted Mode limits runs to containers.
 */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("codebeaker.status", vscode.StatusBarAlignment.Left, 10);
  private host: HostState = "stopped";
  private isolation: string | undefined;
  private activity: Activity = "idle";
  private stage: Stage | undefined;
  private ticker: NodeJS.Timeout | undefined;
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

  setActivity(activity: Exclude<Activity, "compiling" | "running">, isolation?: string): void {
    this.activity = activity;
    if (isolation) this.isolation = isolation;
    this.tick(undefined);
  }

  /** A stage started: its elapsed time is shown against its time limit, second by second, until it ends. */
  setStage(stage: "compiling" | "running", limitMs: number, isolation?: string): void {
    this.activity = stage;
    if (isolation) this.isolation = isolation;
    this.tick({ since: Date.now(), limitMs });
  }

  setLast(result: SessionExecuteResult): void {
    this.last = result;
    this.activity = "idle";
    this.tick(undefined);
  }

  /** The last run could not run at all (no sandbox, a setting's mistake): that, not the run before it. */
  setFailed(message: string): void {
    this.last = { failure: message };
    this.activity = "idle";
    this.tick(undefined);
  }

  private tick(stage: Stage | undefined): void {
    this.stage = stage;
    clearInterval(this.ticker);
    this.ticker = stage ? setInterval(() => this.render(), 1000) : undefined;
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
    } else if (this.stage && (this.activity === "compiling" || this.activity === "running")) {
      const elapsed = seconds(Date.now() - this.stage.since);
      const limit = seconds(this.stage.limitMs);
      text = `$(sync~spin) ${where} · ${this.activity} ${elapsed} / ${limit}`;
      tooltip =
        this.activity === "compiling"
          ? `Compiling: ${elapsed} of its ${limit} limit.`
          : `A program is running: ${elapsed} of its ${limit} time limit (codebeaker.limits.timeoutSeconds). CodeBeaker: Stop ends it.`;
    } else if (this.activity !== "idle") {
      text = `$(sync~spin) ${where} · ${this.activity === "building" ? "building the image" : "preparing"}`;
      tooltip =
        this.activity === "building"
          ? "Building the language's sandbox image (first use): its steps are in the run's terminal."
          : "Starting the sandbox and mirroring the workspace.";
    } else if (this.last && "failure" in this.last) {
      text = `$(error) ${where} · could not run`;
      tooltip = `Last run could not run: ${this.last.failure}\nClick for the run history.`;
    } else if (this.last) {
      const ok = this.last.success;
      const times = lastRunTimes(this.last);
      text = `${ok ? "$(pass)" : "$(error)"} ${where} · ${this.last.status}${times ? ` · ${times}` : ""}`;
      tooltip = `Last run: ${this.last.status}${times ? `, ${times}` : ""}${warmNote(this.last)}. Click for the run history.`;
    } else {
      text = `$(beaker) ${where}`;
      tooltip = "CodeBeaker: Run in Sandbox runs the current file.";
    }
    if (restricted) tooltip += "\nRestricted Mode: code runs only in a container.";
    this.item.text = text;
    this.item.tooltip = tooltip;
  }

  dispose(): void {
    clearInterval(this.ticker);
    this.item.dispose();
  }
}
