import { z } from "zod";

/** Everything a sandbox or a run is limited by. */
export const Limits = z.strictObject({
  /** Wall-clock limit of one run. */
  timeoutMs: z.number().int().min(1).max(3_600_000),
  /** Wall-clock limit of one compile stage. */
  compileTimeoutMs: z.number().int().min(1).max(3_600_000),
  /** Memory of the whole sandbox, swap included (memory = memory + swap). */
  memoryMb: z.number().int().min(32).max(65_536),
  /** CPU cores the sandbox may use (a quota, not a pinning). */
  cpus: z.number().min(0.01).max(256),
  /** Relative CPU weight under contention (Docker's --cpu-shares). */
  cpuShares: z.number().int().min(2).max(262_144),
  /** Processes and threads at once: what stops a fork bomb. */
  pids: z.number().int().min(16).max(32_768),
  /** Bytes kept per output stream; a run that writes more is stopped (OutputLimitExceeded). */
  outputBytes: z
    .number()
    .int()
    .min(1024)
    .max(64 << 20),
  /** Size of the sandbox's writable /tmp (in memory: it counts against memoryMb). */
  tmpMb: z.number().int().min(1).max(65_536),
  /** Size of the sandbox's writable /workspace (in memory too). */
  workspaceMb: z.number().int().min(1).max(65_536),
});
export type Limits = z.infer<typeof Limits>;

export const LimitOverrides = Limits.partial();
export type LimitOverrides = z.infer<typeof LimitOverrides>;

export const DEFAULT_LIMITS: Limits = {
  timeoutMs: 10_000,
  compileTimeoutMs: 60_000,
  memoryMb: 512,
  cpus: 1,
  cpuShares: 1024,
  pids: 256,
  outputBytes: 1 << 20,
  tmpMb: 128,
  workspaceMb: 128,
};

/** Where limits come from, most specific first. */
export interface LimitSources {
  request?: LimitOverrides;
  user?: LimitOverrides;
  runtime?: LimitOverrides;
}

/**
 * The one place limits are resolved, in one order: request → user setting → runtime override → default.
 * /tmp and /workspace live in memory, so unless a layer sets them, each gets a quarter of the memory limit:
 * filling both can never leave a sandbox without memory to start a program.
 */
export function resolveLimits(sources: LimitSources): Limits {
  const layers = [sources.request, sources.user, sources.runtime];
  const pick = <K extends keyof Limits>(key: K): Limits[K] | undefined =>
    layers.map((layer) => layer?.[key]).find((value) => value !== undefined) as Limits[K] | undefined;
  const resolved = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
    const value = pick(key);
    if (value !== undefined) resolved[key] = value;
  }
  const share = Math.max(16, Math.floor(resolved.memoryMb / 4));
  resolved.tmpMb = pick("tmpMb") ?? share;
  resolved.workspaceMb = pick("workspaceMb") ?? share;
  return Limits.parse(resolved);
}

/**
 * A memory size as people write it — 512 (megabytes), "256m", "1g", "512mb", "2GiB" — in whole megabytes;
 * undefined when it is not one. The CLI's --memory and the library's memoryLimit read sizes with it.
 */
export function megabytesIn(size: string | number): number | undefined {
  if (typeof size === "number") return Number.isFinite(size) && size >= 0 ? Math.round(size) : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:([mg])(?:i?b)?)?\s*$/i.exec(size);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * (match[2]?.toLowerCase() === "g" ? 1024 : 1));
}
