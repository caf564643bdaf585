import type { SessionExecuteResult } from "./session";
import { readRun, RunReading } from "./run-reading";

/**
 * How a run's answer is said in one line, the same in the CLI and in the editor's terminal:
 * "── RuntimeError · exit 1 · wall 23.5 ms · CPU 17.4 ms · peak memory 7.5 MB", then the cause when it failed.
 * With a compile stage, its time and the run's stand apart: "── Success · exit 0 · compile 812 ms · run 23.5 ms ·
 * CPU 17.4 ms · peak memory 7.5 MB" (CPU and memory are the last stage's, as `metrics` are).
 */
export function summaryLine(result: SessionExecuteResult, reading: RunReading = readRun(result)): string {
  const parts = [`── ${result.status}`];
  if (result.exitCode !== null) parts.push(`exit ${result.exitCode}`);
  if (reading.stage?.signal) parts.push(reading.stage.signal);
  const times = stageTimes(result);
  if (times) parts.push(times);
  if (result.metrics) {
    parts.push(`CPU ${result.metrics.cpuMs} ms`);
    parts.push(`peak memory ${(result.metrics.peakMemoryBytes / (1024 * 1024)).toFixed(1)} MB`);
  }
  const headline = result.success ? "" : `\n${reading.headline ?? ""}`;
  return `${parts.join(" · ")}${headline}`;
}

/**
 * How long a run took: "wall 23.5 ms" for a run alone; "compile 812 ms · run 23.5 ms" when it was compiled first
 * (just "compile 812 ms" when the compile failed). Undefined when no program ran.
 */
export function stageTimes(
  result: Pick<SessionExecuteResult, "stages" | "metrics">,
  format: (ms: number) => string = (ms) => `${ms} ms`,
): string | undefined {
  const compile = result.stages?.compile;
  const run = result.stages?.run;
  if (compile) return [`compile ${format(compile.wallMs)}`, ...(run ? [`run ${format(run.wallMs)}`] : [])].join(" · ");
  return result.metrics ? `wall ${format(result.metrics.wallMs)}` : undefined;
}
