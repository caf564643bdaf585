/** A named series of durations in milliseconds, and its summary. */
export interface Summary {
  n: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
  mean: number;
}

/**
 * The q-quantile (0..1) of `values` by linear interpolation between closest ranks (the common "type 7"
 * definition, as in numpy's default): with 10 samples, p95 lies between the 9th and the 10th.
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below]!;
  const high = sorted[above]!;
  return low + (high - low) * (position - below);
}

export function summarize(values: readonly number[]): Summary {
  return {
    n: values.length,
    p50: quantile(values, 0.5),
    p95: quantile(values, 0.95),
    min: values.length ? Math.min(...values) : Number.NaN,
    max: values.length ? Math.max(...values) : Number.NaN,
    mean: values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : Number.NaN,
  };
}

/** Milliseconds with a precision that suits their size: 0.42, 12.3, 130. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "n/a";
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return ms.toFixed(0);
}

export function formatRatio(figure: number, floor: number): string {
  if (!Number.isFinite(figure) || !Number.isFinite(floor) || floor <= 0) return "n/a";
  const ratio = figure / floor;
  return `${ratio < 10 ? ratio.toFixed(2) : ratio.toFixed(1)}×`;
}

/** One thing timed again and again: `once` is timed, `after` (a removal, a close) is not. */
export interface Probe {
  name: string;
  once(): Promise<void>;
  after?(): Promise<void>;
}

/**
 * Times probes in rounds, one run of each per round, so that a figure and its floors see the same load
 * (this matters on a shared machine): `warmup` untimed rounds, then `runs` timed ones.
 * Returns the durations in ms by probe name.
 */
export async function interleave(probes: Probe[], runs: number, warmup: number): Promise<Record<string, number[]>> {
  const durations: Record<string, number[]> = Object.fromEntries(probes.map((probe) => [probe.name, []]));
  for (let round = 0; round < warmup + runs; round++) {
    for (const probe of probes) {
      const started = performance.now();
      await probe.once();
      const elapsed = performance.now() - started;
      await probe.after?.();
      if (round >= warmup) durations[probe.name]!.push(elapsed);
    }
  }
  return durations;
}
