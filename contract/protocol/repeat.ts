import { z } from "zod";
import { Command } from "./commands";

/**
 * `session.repeat` (the seed's prepare/repeat): one command run N times in a warm session, and statistics of
 * how it went. Durations are the program's own wall time (metrics.wallMs), not the protocol's round trips.
 */
export const SessionRepeatParams = z.strictObject({
  sessionId: z.string().min(1, "must be the sessionId that session.create returned"),
  command: Command,
  times: z.number().int().min(1).max(1000).default(20),
});
export type SessionRepeatParams = z.input<typeof SessionRepeatParams>;

export const RepeatStats = z.object({
  times: z.number(),
  successes: z.number(),
  /** Percent, 0 to 100. */
  successRate: z.number(),
  avgDurationMs: z.number(),
  stdDurationMs: z.number(),
  minMs: z.number(),
  p50: z.number(),
  p95: z.number(),
  maxMs: z.number(),
  /** Ten equal-width bins from the fastest to the slowest run. */
  histogram: z.array(z.object({ fromMs: z.number(), toMs: z.number(), count: z.number() })),
  /** How many runs ended in each status. */
  statuses: z.record(z.string(), z.number()),
  durationsMs: z.array(z.number()),
});
export type RepeatStats = z.infer<typeof RepeatStats>;
