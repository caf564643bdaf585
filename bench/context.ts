/** What every phase of the bench shares: the recorded figures, what was noticed, and small helpers. */
import type Docker from "dockerode";
import { Labels } from "../host/isolation/docker/container-spec";
import type { RpcClient } from "./rpc-client";

/** Raw durations in ms, by series name. */
export const series: Record<string, number[]> = {};

/** Figures that are not durations (runs per second, megabytes), by name: their samples and unit. */
export const quantities: Record<string, { unit: string; values: number[] }> = {};

/** What went wrong or looked wrong along the way (not timings). */
export const problems = new Set<string>();

/** Interpreter versions, in the images and on this machine, by language. */
export const versions: Record<string, { container?: string; host?: string; hostExecutable?: string }> = {};

export function record(name: string, unit: string, values: number[]): void {
  quantities[name] = { unit, values };
}

export function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

export interface CreateResult {
  sessionId: string;
  containerId: string;
  image: string;
  isolation: string;
}

export interface ExecuteResult {
  success: boolean;
  result: unknown;
  error: string | null;
  durationMs: number;
  status: string;
  stdout: string;
  metrics: { wallMs: number; cpuMs: number; peakMemoryBytes: number } | null;
}

export async function executeCode(client: RpcClient, sessionId: string, code: string): Promise<ExecuteResult> {
  const result = await client.call<ExecuteResult>("session.execute", { sessionId, command: { type: "execute_code", code } });
  if (!result.success) throw new Error(`execute_code ${JSON.stringify(code)} failed: ${result.status}: ${result.error}`);
  return result;
}

/**
 * Waits until the host owning `owner` has exactly `count` running containers of `language` (its sessions and
 * its ready sandboxes): the pool refills in the background, and a phase must not time its runs against that.
 */
export async function waitForContainers(docker: Docker, owner: string, language: string, count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  const filters = { label: [`${Labels.owner}=${owner}`, `${Labels.language}=${language}`] };
  for (;;) {
    const running = await docker.listContainers({ filters });
    if (running.length === count) return;
    if (Date.now() > deadline) throw new Error(`the host did not settle at ${count} ${language} container(s) (has ${running.length})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
