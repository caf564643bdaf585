import type { SessionExecuteResult } from "../host/protocol/session";
import { stageTimes } from "../host/protocol/summary";

/** `812 ms`, `2.8 s`: a stage's time at a glance. */
export function shortDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** "23 ms" for a run alone; "compile 812 ms · run 23 ms" when it was compiled first. */
export function lastRunTimes(result: SessionExecuteResult): string | undefined {
  const times = stageTimes(result, shortDuration);
  return result.stages?.compile ? times : times?.replace(/^wall /, "");
}

/** Which stages started their toolchain warm (docs/WARM.md), for the tooltip. */
export function warmNote(result: SessionExecuteResult): string {
  const stages = Object.entries(result.stages ?? {}).filter(([, stage]) => stage);
  if (!stages.length) return "";
  const warm = stages.filter(([, stage]) => stage!.warm).map(([kind]) => kind);
  if (warm.length === stages.length) return " (toolchain warm)";
  return warm.length ? ` (${warm.join(", ")} warm)` : " (toolchain cold)";
}
