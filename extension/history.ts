import * as vscode from "vscode";
import type { SessionExecuteResult } from "../host/protocol/session";

export interface RunRecord {
  at: Date;
  label: string;
  language: string;
  isolation: string;
  result: SessionExecuteResult;
  reveal(): void;
}

const KEPT = 100;

/** The runs of this window, newest first: what Show History lists (the history panel replaces it later). */
export class RunHistory {
  private readonly runs: RunRecord[] = [];

  add(run: RunRecord): void {
    this.runs.unshift(run);
    this.runs.length = Math.min(this.runs.length, KEPT);
  }

  async show(): Promise<void> {
    if (!this.runs.length) {
      void vscode.window.showInformationMessage("CodeBeaker has run nothing in this window yet.");
      return;
    }
    const picked = await vscode.window.showQuickPick(
      this.runs.map((run) => ({
        label: `${run.result.success ? "$(pass)" : "$(error)"} ${run.label}`,
        description: `${run.result.status} · ${run.language} · ${run.isolation}`,
        detail: `${run.at.toLocaleTimeString()}${run.result.metrics ? ` · wall ${run.result.metrics.wallMs} ms · CPU ${run.result.metrics.cpuMs} ms · peak ${(run.result.metrics.peakMemoryBytes / 1048576).toFixed(1)} MB` : ""}`,
        run,
      })),
      { title: "CodeBeaker: runs in this window", placeHolder: "Pick a run to show its terminal" },
    );
    picked?.run.reveal();
  }
}
