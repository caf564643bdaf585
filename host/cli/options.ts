/** Parsers for the CLI's option values, each failing with a sentence that says what was expected. */

import { megabytesIn } from "../../contract/limits";

export class UsageError extends Error {}

/** Seconds, as the seed's `timeout=30`; a fraction is fine ("0.5"). */
export function parseSeconds(flag: string, value: string): number {
  const milliseconds = Math.round(Number(value) * 1000);
  if (value.trim() === "" || !Number.isFinite(milliseconds) || milliseconds < 1) {
    throw new UsageError(`${flag} takes seconds, like 5 or 0.5 (got "${value}")`);
  }
  return milliseconds;
}

/** Megabytes: "512", or with a unit as the seed writes it ("256m", "1g"). */
export function parseMegabytes(flag: string, value: string): number {
  const megabytes = megabytesIn(value);
  if (megabytes === undefined || megabytes < 1) throw new UsageError(`${flag} takes megabytes, like 512, 256m or 1g (got "${value}")`);
  return megabytes;
}

export function parsePort(flag: string, value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65535) throw new UsageError(`${flag} takes a port number (got "${value}")`);
  return port;
}

export function parseCount(flag: string, value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value.trim()) || count < 1) throw new UsageError(`${flag} takes a whole number, at least 1 (got "${value}")`);
  return count;
}
