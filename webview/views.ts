import type { HistoryRun } from "../host/protocol/history";
import { histogramChart, versionsChart } from "./chart";
import type { BenchmarkResult, FromPanel } from "./messages";
import { element } from "./toolkit";

const COLUMNS = ["Version", "Time", "File", "Language", "Status", "Wall", "CPU", "Peak memory"];

/** The runs table: one row per run, the selected one marked; clicking a row selects it. */
export function runsTable(runs: readonly HistoryRun[], selected: string | null, select: (id: string) => void): HTMLElement {
  const grid = element("vscode-data-grid", { "aria-label": "Runs", "grid-template-columns": "70px 90px 2fr 1fr 1.4fr 1fr 1fr 1fr" });
  const header = element("vscode-data-grid-row", { "row-type": "header" });
  COLUMNS.forEach((title, index) =>
    header.append(element("vscode-data-grid-cell", { "cell-type": "columnheader", "grid-column": `${index + 1}` }, title)),
  );
  grid.append(header);
  for (const run of runs) {
    const row = element("vscode-data-grid-row", { class: run.id === selected ? "run selected" : "run", "data-run": run.id });
    const cells = [
      `v${run.version}`,
      new Date(run.at).toLocaleTimeString(),
      run.path,
      run.language,
      statusBadge(run.status),
      run.metrics ? `${run.metrics.wallMs} ms` : "–",
      run.metrics ? `${run.metrics.cpuMs} ms` : "–",
      run.metrics ? `${(run.metrics.peakMemoryBytes / (1024 * 1024)).toFixed(1)} MB` : "–",
    ];
    cells.forEach((cell, index) => row.append(element("vscode-data-grid-cell", { "grid-column": `${index + 1}` }, cell)));
    row.addEventListener("click", () => select(run.id));
    grid.append(row);
  }
  return grid;
}

export function statusBadge(status: string): HTMLElement {
  return element("span", { class: `badge ${status === "Success" ? "ok" : "failed"}` }, status);
}

/**
 * A run's details: its error (with a link to its place), the head of its output, what can be done with it, and
 * the chart of its file's versions.
 */
export function runDetails(run: HistoryRun, versions: readonly HistoryRun[], post: (message: FromPanel) => void): HTMLElement {
  const { workspace, path } = run;
  const details = element("section", { class: "details", "aria-label": `Run v${run.version} of ${path}` });
  details.append(element("h2", {}, `${path} · v${run.version} · `, statusBadge(run.status)));
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
