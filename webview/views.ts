import type { HistoryRun } from "../contract/protocol/history";
import { histogramChart, versionsChart } from "./chart";
import type { BenchmarkResult, FromPanel } from "./messages";
import { element } from "./toolkit";

/**
 * The table's columns, each with its width: fixed ones fit their longest value (Status: `MemoryLimitExceeded`),
 * the file and language share what is left. A compact table (a narrow panel) keeps version, file, status and wall
 * time; the details show the rest.
 */
const COLUMNS: ReadonlyArray<{ title: string; width: string; compact: boolean; cell(run: HistoryRun): string | HTMLElement }> = [
  { title: "Version", width: "84px", compact: true, cell: (run) => `v${run.version}` },
  { title: "Time", width: "124px", compact: false, cell: (run) => new Date(run.at).toLocaleTimeString() },
  { title: "File", width: "minmax(64px, 2fr)", compact: true, cell: (run) => fileLabel(run) },
  { title: "Language", width: "minmax(64px, 1fr)", compact: false, cell: (run) => run.language },
  { title: "Status", width: "176px", compact: true, cell: (run) => statusBadge(run.status) },
  { title: "Wall", width: "80px", compact: true, cell: (run) => (run.metrics ? `${run.metrics.wallMs} ms` : "–") },
  { title: "CPU", width: "80px", compact: false, cell: (run) => (run.metrics ? `${run.metrics.cpuMs} ms` : "–") },
  {
    title: "Peak memory",
    width: "132px",
    compact: false,
    cell: (run) => (run.metrics ? `${(run.metrics.peakMemoryBytes / (1024 * 1024)).toFixed(1)} MB` : "–"),
  },
];

/** The runs table: one row per run, the selected one marked; clicking a row selects it. */
export function runsTable(
  runs: readonly HistoryRun[],
  selected: string | null,
  select: (id: string) => void,
  compact = false,
): HTMLElement {
  const columns = COLUMNS.filter((column) => column.compact || !compact);
  const widths = columns.map((column) => column.width).join(" ");
  const grid = element("vscode-data-grid", { "aria-label": "Runs", "grid-template-columns": widths, class: compact ? "compact" : "" });
  const header = element("vscode-data-grid-row", { "row-type": "header" });
  columns.forEach(({ title }, index) =>
    header.append(element("vscode-data-grid-cell", { "cell-type": "columnheader", "grid-column": `${index + 1}`, title }, title)),
  );
  grid.append(header);
  for (const run of runs) {
    const row = element("vscode-data-grid-row", { class: run.id === selected ? "run selected" : "run", "data-run": run.id });
    columns.forEach((column, index) => {
      const cell = column.cell(run);
      const title = typeof cell === "string" ? cell : (cell.textContent ?? "");
      row.append(element("vscode-data-grid-cell", { "grid-column": `${index + 1}`, title }, cell));
    });
    row.addEventListener("click", () => select(run.id));
    grid.append(row);
  }
  return grid;
}

/** The file a run was of, with the lines of a selection's run: `main.py:3–7`. */
export function fileLabel(run: HistoryRun): string {
  if (!run.lines) return run.path;
  const { start, end } = run.lines;
  return `${run.path}:${start === end ? start : `${start}–${end}`}`;
}

export function statusBadge(status: string): HTMLElement {
  return element("span", { class: `badge ${status === "Success" ? "ok" : "failed"}` }, status);
}

/** The file rolled back last, and to which version. */
export interface RolledBack {
  workspace: string;
  path: string;
  version: number;
}

/**
 * A run's details: its error (with a link to its place), the head of its output, what can be done with it (Undo,
 * after its file was rolled back), and the chart of its file's versions.
 */
export function runDetails(
  run: HistoryRun,
  versions: readonly HistoryRun[],
  post: (message: FromPanel) => void,
  rolledBack: RolledBack | null = null,
): HTMLElement {
  const { workspace, path } = run;
  const details = element("section", { class: "details", "aria-label": `Run v${run.version} of ${path}` });
  const selection = run.lines
    ? ` (selection, ${run.lines.start === run.lines.end ? `line ${run.lines.start}` : `lines ${run.lines.start}–${run.lines.end}`})`
    : "";
  details.append(element("h2", {}, `${path}${selection} · v${run.version} · `, statusBadge(run.status)));
  if (run.error) {
    const error = element("p", { class: "error" }, run.error);
    if (run.location) {
      const { line, column } = run.location;
      const link = element("a", { href: "#", class: "location" }, `${run.location.path}:${line}:${column}`);
      link.addEventListener("click", (event) => {
        event.preventDefault();
        post({ type: "open", workspace, path: run.location!.path, line, column });
      });
      error.append(" at ", link);
    }
    details.append(error);
  }
  const output = (run.stdoutHead + run.stderrHead).trimEnd();
  if (output) details.append(element("pre", { class: "output" }, output));
  const actions = element("div", { class: "actions" });
  const button = (label: string, message: FromPanel, appearance = "secondary") => {
    const created = element("vscode-button", { appearance }, label);
    created.addEventListener("click", () => post(message));
    actions.append(created);
  };
  button(`Rollback to v${run.version}`, { type: "rollback", workspace, path, version: run.version }, "primary");
  if (rolledBack && rolledBack.workspace === workspace && rolledBack.path === path) {
    button(`Undo rollback to v${rolledBack.version}`, { type: "undoRollback", workspace, path });
  }
  button("Compare with current", { type: "compare", workspace, path, version: run.version });
  button("Rerun", { type: "rerun", workspace, path });
  details.append(actions);
  details.append(element("h3", {}, `${path}: versions`), ...versionsChart(versions));
  return details;
}

/** A benchmark's statistics and histogram. */
export function benchmarkView(result: BenchmarkResult): HTMLElement {
  const { stats } = result;
  const section = element("section", { class: "benchmark", "aria-label": "Benchmark" });
  section.append(element("h2", {}, `Benchmark: ${result.label} × ${stats.times} (${result.language})`));
  const rows: Array<[string, string]> = [
    ["Success rate", `${stats.successRate}% (${stats.successes} of ${stats.times})`],
    ["Mean", `${stats.avgDurationMs} ms`],
    ["Standard deviation", `${stats.stdDurationMs} ms`],
    ["Min", `${stats.minMs} ms`],
    ["p50", `${stats.p50} ms`],
    ["p95", `${stats.p95} ms`],
    ["Max", `${stats.maxMs} ms`],
  ];
  const table = element("table", { class: "stats" });
  for (const [name, value] of rows) table.append(element("tr", {}, element("th", {}, name), element("td", {}, value)));
  section.append(table, histogramChart(stats.histogram));
  return section;
}
