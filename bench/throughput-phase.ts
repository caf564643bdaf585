/**
 * Throughput: execute_code runs per second across 1, 2 and 4 sessions at once (each session runs its runs one
 * after another, as a session does), beside the same number of resident shells in plain containers doing the
 * same (the floor: what this machine's cores allow for that interpreter).
 */
import type Docker from "dockerode";
import { CreateResult, executeCode, progress, record, waitForContainers } from "./context";
import { ContainerTracker, ResidentProbe, residentProbe } from "./floors";
import type { RpcClient } from "./rpc-client";
import type { Language } from "./session-phases";

export const CONCURRENCIES = [1, 2, 4];

export async function throughputPhase(
  client: RpcClient,
  docker: Docker,
  tracker: ContainerTracker,
  owner: string,
  language: Language,
  image: string,
  runsPerSession: number,
  rounds: number,
) {
  const name = language.language;
  for (const concurrency of CONCURRENCIES) {
    progress(`throughput: ${concurrency} ${name} session(s) at once, ${runsPerSession} runs each, ${rounds} rounds`);
    const sessions: string[] = [];
    const shells: ResidentProbe[] = [];
    try {
      for (let i = 0; i < concurrency; i++) {
        sessions.push((await client.call<CreateResult>("session.create", { language: name })).sessionId);
        shells.push(await residentProbe(`floor.throughput.${name}`, tracker, image, language.argv));
      }
      await waitForContainers(docker, owner, name, concurrency + 1); // the sessions and the pool's spare
      const figure: number[] = [];
      const floor: number[] = [];
      for (let round = 0; round <= rounds; round++) {
        const api = await runsPerSecond(
          sessions.map((sessionId) => () => executeCode(client, sessionId, language.code)),
          runsPerSession,
        );
        const shell = await runsPerSecond(
          shells.map((probe) => () => probe.once()),
          runsPerSession,
        );
        if (round === 0) continue; // warm-up
        figure.push(api);
        floor.push(shell);
      }
      record(`throughput.c${concurrency}.${name}`, "runs/s", figure);
      record(`floor.throughput.c${concurrency}.${name}`, "runs/s", floor);
    } finally {
      for (const sessionId of sessions) await client.call("session.close", { sessionId });
      for (const shell of shells) await shell.close();
    }
  }
}

/** Every worker runs `runs` times in turn, all workers at once: completed runs per second of wall time. */
async function runsPerSecond(workers: Array<() => Promise<unknown>>, runs: number): Promise<number> {
  const started = performance.now();
  await Promise.all(
    workers.map(async (work) => {
      for (let i = 0; i < runs; i++) await work();
    }),
  );
  return (workers.length * runs) / ((performance.now() - started) / 1000);
}
