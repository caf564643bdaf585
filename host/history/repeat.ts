import type { Command } from "../../contract/protocol/commands";
import type { RepeatStats } from "../../contract/protocol/repeat";
import type { SessionExecuteResult } from "../../contract/protocol/session";

/**
 * Statistics of a command run `times` times (the seed's repeat): success rate, mean and standard deviation,
 * minimum, median, 95th percentile, maximum, and a histogram, over each run's own wall time.
 */
export async function repeat(
  times: number,
  run: (command: Command) => Promise<SessionExecuteResult>,
  command: Command,
): Promise<RepeatStats> {
  const durations: number[] = [];
  const statuses: Record<string, number> = {};
  let successes = 0;
  for (let index = 0; index < times; index++) {
    const answer = await run(command);
    statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    if (answer.success) successes++;
    durations.push(answer.metrics?.wallMs ?? answer.durationMs);
  }
  return { times, successes, successRate: round((100 * successes) / times), ...describe(durations), statuses, durationsMs: durations };
}

export function describe(durations: readonly number[]) {
  const sorted = [...durations].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  const variance = sorted.reduce((sum, value) => sum + (value - mean) ** 2, 0) / sorted.length;
  return {
    avgDurationMs: round(mean),
    stdDurationMs: round(Math.sqrt(variance)),
    minMs: sorted[0]!,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    maxMs: sorted[sorted.length - 1]!,
    histogram: histogram(sorted, 10),
  };
}

/** Linear interpolation between the closest ranks (numpy's default). */
export function percentile(sorted: readonly number[], p: number): number {
  const rank = ((sorted.length - 1) * p) / 100;
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return round(sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low));
}

function histogram(sorted: readonly number[], bins: number) {
  const min = sorted[0]!;
  const max = sorted[sorted.length - 1]!;
  const width = (max - min) / bins || 1;
  const counts = Array.from({ length: bins }, (_, bin) => ({
    fromMs: round(min + bin * width),
    toMs: round(min + (bin + 1) * width),
    count: 0,
  }));
  for (const value of sorted) counts[Math.min(bins - 1, Math.floor((value - min) / width))]!.count++;
  return counts;
}

const round = (value: number) => Math.round(value * 100) / 100;
