import type { SessionExecuteResult } from "./session";
import { readRun, RunReading } from "./run-reading";

/**
 * How a run's answer is said in one line, the same in the CLI and in the editor's terminal:
 * "── RuntimeError · exit 1 · wall 23.5 ms · CPU 17.4 ms · peak memory 7.5 MB", then the cause when it failed.
 */
export function summaryLine(result: SessionExecuteResult, reading: RunReading = readRun(result)): string {
  const parts = [`── ${result.status}`];
  if (result.exitCode !== null) parts.push(`exit ${result.exitCode}`);
  if (reading.stage?.signal) parts.push(reading.stage.signal);
  if (result.metrics) {
    parts.push(`wall ${result.metrics.wallMs} ms`, `CPU ${result.metrics.cpuMs} ms`);
    parts.push(`peak memory ${(result.metrics.peakMemoryBytes / (1024 * 1024)).toFixed(1)} MB`);
  }
  if (result.stages?.compile) parts.push(`compile ${result.stages.compile.wallMs} ms`);
  const headline = result.success ? "" : `\n${reading.headline ?? ""}`;
  return `${parts.join(" · ")}${headline}`;
}
