import type { HistoryRun } from "../contract/protocol/history";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 560;
const HEIGHT = 140;
const PAD = { left: 56, right: 16, top: 22, bottom: 28 };

interface Series {
  title: string;
  unit: string;
  color: string;
  value(run: HistoryRun): number | undefined;
}

/** Wall time and peak memory across the versions of one file: two small line charts, in the theme's colours. */
export function versionsChart(runs: readonly HistoryRun[]): SVGElement[] {
  const byVersion = [...runs].sort((a, b) => a.version - b.version);
  const series: Series[] = [
    { title: "Wall time", unit: "ms", color: "var(--vscode-charts-blue)", value: (run) => run.metrics?.wallMs },
    {
      title: "Peak memory",
      unit: "MB",
      color: "var(--vscode-charts-purple)",
      value: (run) => (run.metrics ? run.metrics.peakMemoryBytes / (1024 * 1024) : undefined),
    },
  ];
  return series.map((one) => lineChart(byVersion, one));
}

function lineChart(runs: readonly HistoryRun[], series: Series): SVGElement {
  const svg = node("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", class: "chart", "aria-label": `${series.title} by version` });
  const points = runs.flatMap((run) => {
    const value = series.value(run);
    return value === undefined ? [] : [{ run, value }];
  });
  svg.append(text(PAD.left, 14, `${series.title} (${series.unit})`, "start", "chart-title"));
  if (!points.length) return svg;
  const max = Math.max(...points.map((point) => point.value)) || 1;
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const x = (index: number) => PAD.left + (points.length === 1 ? plotWidth / 2 : (index * plotWidth) / (points.length - 1));
  const y = (value: number) => PAD.top + plotHeight - (value / max) * plotHeight;

  svg.append(
    node("line", {
      x1: `${PAD.left}`,
      y1: `${PAD.top + plotHeight}`,
      x2: `${WIDTH - PAD.right}`,
      y2: `${PAD.top + plotHeight}`,
      class: "axis",
    }),
  );
  svg.append(text(PAD.left - 6, PAD.top + 4, format(max), "end", "tick"));
  svg.append(text(PAD.left - 6, PAD.top + plotHeight, "0", "end", "tick"));
  svg.append(
    node("polyline", {
      points: points.map((point, index) => `${x(index)},${y(point.value)}`).join(" "),
      fill: "none",
      stroke: series.color,
      "stroke-width": "2",
    }),
  );
  points.forEach((point, index) => {
    const failed = point.run.status !== "Success";
    const dot = node("circle", {
      cx: `${x(index)}`,
      cy: `${y(point.value)}`,
      r: "4",
      class: failed ? "point failed" : "point",
      stroke: series.color,
    });
    dot.append(node("title", {}, `v${point.run.version}: ${format(point.value)} ${series.unit} (${point.run.status})`));
    svg.append(dot, text(x(index), HEIGHT - 8, `v${point.run.version}`, "middle", "tick"));
  });
  return svg;
}

function format(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function text(x: number, y: number, content: string, anchor: string, className: string): SVGElement {
  return node("text", { x: `${x}`, y: `${y}`, "text-anchor": anchor, class: className }, content);
}

function node(tag: string, attributes: Record<string, string>, content?: string): SVGElement {
  const created = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) created.setAttribute(name, value);
  if (content !== undefined) created.textContent = content;
  return created;
}

/** A benchmark's histogram: one bar per bin, its count on top. */
export function histogramChart(bins: ReadonlyArray<{ fromMs: number; toMs: number; count: number }>): SVGElement {
  const svg = node("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", class: "chart", "aria-label": "Run times" });
  const max = Math.max(...bins.map((bin) => bin.count), 1);
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const barWidth = plotWidth / bins.length;
  svg.append(text(PAD.left, 14, "Run times (ms)", "start", "chart-title"));
  bins.forEach((bin, index) => {
    const height = (bin.count / max) * plotHeight;
    const x = PAD.left + index * barWidth;
    const bar = node("rect", {
      x: `${x + 1}`,
      y: `${PAD.top + plotHeight - height}`,
      width: `${barWidth - 2}`,
      height: `${height}`,
      fill: "var(--vscode-charts-green)",
    });
    bar.append(node("title", {}, `${format(bin.fromMs)}–${format(bin.toMs)} ms: ${bin.count}`));
    svg.append(bar);
    if (bin.count) svg.append(text(x + barWidth / 2, PAD.top + plotHeight - height - 3, `${bin.count}`, "middle", "tick"));
  });
  const first = bins[0];
  const last = bins[bins.length - 1];
  if (first && last) {
    svg.append(
      text(PAD.left, HEIGHT - 8, format(first.fromMs), "start", "tick"),
      text(WIDTH - PAD.right, HEIGHT - 8, format(last.toMs), "end", "tick"),
    );
  }
  return svg;
}
