import type { SessionExecuteResult } from "./session";

/**
 * How a run's answer is said in one line, the same in the CLI and in the editor's terminal:
 * "── RuntimeError · exit 1 · wall 23.5 ms · CPU 17.4 ms · peak memory 7.5 MB", then the cause when it failed.
 */
export function summaryLine(result: SessionExecuteResult): string {
  const parts = [`── ${result.status}`];
  if (result.exitCode !== null) parts.push(`exit ${result.exitCode}`);
  const signal = result.stages?.run?.signal ?? result.stages?.compile?.signal;
  if (signal) parts.push(signal);
  if (result.metrics) {
    parts.push(`wall ${result.metrics.wallMs} ms`, `CPU ${result.metrics.cpuMs} ms`);
    parts.push(`peak memory ${(result.metrics.peakMemoryBytes / (1024 * 1024)).toFixed(1)} MB`);
  }
  if (result.stages?.compile) parts.push(`compile ${result.stages.compile.wallMs} ms`);
  const headline = result.success ? "" : `\n${result.error?.split("\n")[0] ?? ""}`;
  return `${parts.join(" · ")}${headline}`;
}
