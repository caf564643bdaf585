import type { HistoryRun } from "../contract/protocol/history";
import type { RepeatStats } from "../contract/protocol/repeat";

/** A benchmark's result as the panel shows it: what ran, and its statistics. */
export interface BenchmarkResult {
  label: string;
  language: string;
  stats: RepeatStats;
}

/** Extension → panel. */
export type ToPanel =
  | { type: "runs"; runs: HistoryRun[] }
  | { type: "run"; run: HistoryRun }
  | { type: "benchmark"; result: BenchmarkResult }
  | { type: "busy"; busy: boolean }
  /** A file was rolled back to a version (the panel offers to undo it), or that was undone (`version` null). */
  | { type: "rolledBack"; workspace: string; path: string; version: number | null };

/** Panel → extension. Paths are relative to the run's workspace folder, as recorded. */
export type FromPanel =
  | { type: "ready" }
  | { type: "rollback"; workspace: string; path: string; version: number }
  | { type: "undoRollback"; workspace: string; path: string }
  | { type: "compare"; workspace: string; path: string; version: number }
  | { type: "rerun"; workspace: string; path: string }
  | { type: "open"; workspace: string; path: string; line: number; column: number };

/** What the panel keeps across reloads (getState/setState). */
export interface PanelState {
  file: string;
  status: string;
  selected: string | null;
}
