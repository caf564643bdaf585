import "./panel.css";
import type { HistoryRun } from "../contract/protocol/history";
import type { BenchmarkResult, PanelState, ToPanel } from "./messages";
import { element, registerToolkit, vscode } from "./toolkit";
import { benchmarkView, RolledBack, runDetails, runsTable } from "./views";

/**
 * The history panel: every run with its metrics, filters by file and status, a run's details with Rollback,
 * Compare and Rerun, the chart of its file's versions, and benchmark results. It keeps its filters and
 * selection across reloads (getState/setState) and updates as runs finish.
 */
registerToolkit();

let runs: HistoryRun[] = [];
let benchmark: BenchmarkResult | undefined;
let state: PanelState = vscode.getState() ?? { file: "", status: "", selected: null };
/** The file rolled back last, while its rollback can be undone. */
let rolledBack: RolledBack | null = null;

const root = document.getElementById("root")!;
/** Below this width the table keeps its four most telling columns (the details show the rest). */
const COMPACT_WIDTH = 840;
let compact = false;
new ResizeObserver(() => {
  const narrow = root.clientWidth < COMPACT_WIDTH;
  if (narrow !== compact) {
    compact = narrow;
    render();
  }
}).observe(root);

window.addEventListener("message", (event: MessageEvent<ToPanel>) => {
  const message = event.data;
  if (message.type === "runs") runs = message.runs;
  else if (message.type === "run") {
    runs = [message.run, ...runs.filter((run) => run.id !== message.run.id)];
    // A new run is shown in the details only when the filters show it: a run of another file does not take over.
    if (matchesFilters(message.run)) state = { ...state, selected: message.run.id };
  } else if (message.type === "rolledBack") {
    const { workspace, path, version } = message;
    rolledBack = version === null ? null : { workspace, path, version };
  } else if (message.type === "benchmark") benchmark = message.result;
  else if (message.type === "busy") document.body.classList.toggle("busy", message.busy);
  render();
});

function update(next: Partial<PanelState>): void {
  state = { ...state, ...next };
  vscode.setState(state);
  render();
}

function matchesFilters(run: HistoryRun): boolean {
  return (!state.file || run.path === state.file) && (!state.status || run.status === state.status);
}

function render(): void {
  const shown = runs.filter(matchesFilters);
  const selected = shown.find((run) => run.id === state.selected) ?? shown[0];
  root.replaceChildren(
    element("h1", {}, "CodeBeaker runs"),
    filters(),
    shown.length
      ? runsTable(shown, selected?.id ?? null, (id) => update({ selected: id }), compact)
      : element(
          "p",
          { class: "empty" },
          runs.length ? "No run matches the filters." : "No runs yet: CodeBeaker: Run in Sandbox runs the current file.",
        ),
  );
  if (selected) {
    const versions = runs.filter((run) => run.path === selected.path && run.workspace === selected.workspace);
    root.append(runDetails(selected, versions, (message) => vscode.postMessage(message), rolledBack));
  }
  if (benchmark) root.append(benchmarkView(benchmark));
}

function filters(): HTMLElement {
  const files = [...new Set(runs.map((run) => run.path))].sort();
  const statuses = [...new Set(runs.map((run) => run.status))].sort();
  return element(
    "div",
    { class: "filters" },
    dropdown("File", "All files", files, state.file, (file) => update({ file })),
    dropdown("Status", "All statuses", statuses, state.status, (status) => update({ status })),
  );
}

function dropdown(label: string, all: string, values: string[], current: string, change: (value: string) => void): HTMLElement {
  const select = element("vscode-dropdown", { "aria-label": label, class: `filter-${label.toLowerCase()}` });
  for (const [value, text] of [["", all] as const, ...values.map((value) => [value, value] as const)]) {
    const option = element("vscode-option", { value }, text);
    if (value === current) option.setAttribute("selected", "");
    select.append(option);
  }
  select.addEventListener("change", () => change((select as HTMLSelectElement).value));
  // The toolkit's dropdown shows its value once it is upgraded, which happens when it enters the page.
  queueMicrotask(() => ((select as HTMLSelectElement).value = current));
  return element("label", {}, `${label} `, select);
}

render();
vscode.postMessage({ type: "ready" });
