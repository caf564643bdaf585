/**
 * Memory: what an idle session holds (its container's memory cgroup, after one run), beside what the same
 * runtime's interpreter holds idle in a plain container (the floor: a design that keeps one interpreter
 * per session), and a plain container that only sleeps (what any container holds). Also the runner's own RSS,
 * and the host process's RSS beside a bare Node process's.
 */
import type Docker from "dockerode";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { Labels } from "../host/isolation/docker/container-spec";
import { CreateResult, executeCode, progress, record } from "./context";
import { basicOptions, ContainerTracker } from "./floors";
import type { RpcClient } from "./rpc-client";
import type { Language } from "./session-phases";

const MiB = 2 ** 20;
const SAMPLES = 3;

/** Idle interpreters for the floor, one per language: started, then waiting forever. */
const IDLE_INTERPRETER: Record<string, string[]> = {
  python: ["python3", "-c", "import time\nwhile True: time.sleep(3600)"],
  javascript: ["node", "-e", "setInterval(() => {}, 3600e3)"],
};

export async function memoryPhase(
  client: RpcClient,
  docker: Docker,
  tracker: ContainerTracker,
  owner: string,
  language: Language,
  image: string,
) {
  const name = language.language;
  progress(`memory: ${SAMPLES} idle ${name} sessions, idle interpreters and sleeping containers`);
  const sessions: string[] = [];
  const floors: Docker.Container[] = [];
  try {
    const sessionIds: string[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const { sessionId, containerId } = await client.call<CreateResult>("session.create", { language: name });
      sessionIds.push(sessionId);
      sessions.push(containerId);
      await executeCode(client, sessionId, language.code); // used once, then idle
    }
    const interpreters: Docker.Container[] = [];
    const sleepers: Docker.Container[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      interpreters.push(await tracker.create(basicOptions(image, IDLE_INTERPRETER[name]!)));
      sleepers.push(await tracker.create(basicOptions(image, ["sleep", "infinity"])));
    }
    floors.push(...interpreters, ...sleepers);
    await Promise.all(floors.map((container) => container.start()));
    const spares = (await docker.listContainers({ filters: { label: [`${Labels.owner}=${owner}`, `${Labels.language}=${name}`] } }))
      .filter((info) => !sessionIds.includes(info.Labels[Labels.session]!))
      .map((info) => info.Id);

    record(`memory.idleSession.${name}`, "MiB", await Promise.all(sessions.map(settledMemory)));
    record(`memory.spare.${name}`, "MiB", await Promise.all(spares.map(settledMemory)));
    record(`floor.memory.idleInterpreter.${name}`, "MiB", await Promise.all(interpreters.map((c) => settledMemory(c.id))));
    record(`floor.memory.sleepingContainer.${name}`, "MiB", await Promise.all(sleepers.map((c) => settledMemory(c.id))));
    const runnerPids = await Promise.all(sessions.map(async (id) => (await docker.getContainer(id).inspect()).State.Pid));
    record(
      `memory.runnerRss.${name}`,
      "MiB",
      runnerPids.map((pid) => rssOf(pid)),
    );
  } finally {
    for (const container of floors) await tracker.remove(container);
    const listed = (await client.call<{ sessions: Array<{ sessionId: string; containerId: string }> }>("session.list", {})).sessions;
    for (const entry of listed.filter((session) => sessions.includes(session.containerId))) {
      await client.call("session.close", { sessionId: entry.sessionId });
    }
  }
}

/** The host process's RSS now, recorded under `name`. */
export function sampleHostRss(name: string, hostPid: number): void {
  record(`host.rss.${name}`, "MiB", [rssOf(hostPid)]);
}

/** A bare Node process, idle: the floor of the host's RSS. */
export async function nodeFloorRss(): Promise<void> {
  const child = spawn(process.execPath, ["-e", "console.log('ready'); setInterval(() => {}, 3600e3)"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once("data", () => resolve());
      child.once("exit", (code) => reject(new Error(`node exited with ${code}`)));
    });
    record("floor.host.rss.bareNode", "MiB", [await settled(() => rssOf(child.pid!))]);
  } finally {
    child.kill("SIGKILL");
  }
}

/** A container's memory cgroup usage in MiB, once two readings 100 ms apart agree within 64 KiB. */
export function settledMemory(containerId: string): Promise<number> {
  return settled(() => cgroupMemory(containerId));
}

async function settled(read: () => number): Promise<number> {
  let last = read();
  for (let i = 0; i < 30; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = read();
    if (Math.abs(now - last) < 1 / 16) return now;
    last = now;
  }
  return last;
}

/** cgroup v1 (memory.usage_in_bytes) or v2 (memory.current), cgroupfs or systemd layout. */
function cgroupMemory(containerId: string): number {
  const candidates = [
    `/sys/fs/cgroup/memory/docker/${containerId}/memory.usage_in_bytes`,
    `/sys/fs/cgroup/docker/${containerId}/memory.current`,
    `/sys/fs/cgroup/system.slice/docker-${containerId}.scope/memory.current`,
  ];
  const file = candidates.find((candidate) => existsSync(candidate));
  if (!file) throw new Error(`no memory cgroup found for container ${containerId.slice(0, 12)}`);
  return Number(readFileSync(file, "utf8")) / MiB;
}

function rssOf(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb ?? Number.NaN) / 1024;
}
