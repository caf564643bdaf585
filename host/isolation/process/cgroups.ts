import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rmdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Limits } from "../../../contract/limits";

const ROOT = "/sys/fs/cgroup";
const GROUP = "codebeaker";
const MiB = 1024 * 1024;

/** A session's control group: the processes files its sandbox joins, and where its OOM kills are counted. */
export interface SessionCgroup {
  /** `cgroup.procs` files a process writes its pid into to join (one per v1 controller; one for v2). */
  procsFiles: string[];
  /** The file whose `oom_kill` line counts OOM kills: memory.oom_control (v1) or memory.events (v2). */
  oomFile: string;
  remove(): Promise<void>;
}

type Layout = { version: 1 } | { version: 2 };

/** Which cgroup hierarchy this machine has, if this process may create groups in it. */
export function cgroupLayout(): Layout | undefined {
  if (process.getuid?.() !== 0) return undefined;
  if (existsSync(join(ROOT, "cgroup.controllers"))) return { version: 2 };
  if (["memory", "pids", "cpu"].every((controller) => existsSync(join(ROOT, controller, "cgroup.procs")))) {
    return { version: 1 };
  }
  return undefined;
}

/**
 * Creates a cgroup for one sandbox with its memory (swap included), process and CPU limits, the same limits a
 * Docker container gets. Undefined when cgroups cannot be managed here (not root, or no such hierarchy).
 */
export async function createSessionCgroup(id: string, limits: Limits): Promise<SessionCgroup | undefined> {
  const layout = cgroupLayout();
  if (!layout) return undefined;
  return layout.version === 1 ? createV1(id, limits) : createV2(id, limits);
}

async function createV1(id: string, limits: Limits): Promise<SessionCgroup> {
  const dir = (controller: string) => join(ROOT, controller, GROUP, id);
  for (const controller of ["memory", "pids", "cpu"]) await mkdir(dir(controller), { recursive: true });
  const memory = String(limits.memoryMb * MiB);
  await writeFile(join(dir("memory"), "memory.limit_in_bytes"), memory);
  const swap = join(dir("memory"), "memory.memsw.limit_in_bytes");
  if (existsSync(swap)) await writeFile(swap, memory);
  await writeFile(join(dir("pids"), "pids.max"), String(limits.pids));
  await writeFile(join(dir("cpu"), "cpu.cfs_period_us"), "100000");
  await writeFile(join(dir("cpu"), "cpu.cfs_quota_us"), String(Math.round(limits.cpus * 100_000)));
  await writeFile(join(dir("cpu"), "cpu.shares"), String(limits.cpuShares));
  const dirs = ["memory", "pids", "cpu"].map(dir);
  return {
    procsFiles: dirs.map((group) => join(group, "cgroup.procs")),
    oomFile: join(dir("memory"), "memory.oom_control"),
    remove: () => removeGroups(dirs),
  };
}

async function createV2(id: string, limits: Limits): Promise<SessionCgroup> {
  const parent = join(ROOT, GROUP);
  await mkdir(parent, { recursive: true });
  // Controllers must be enabled on the way down; the parent holds no process of its own.
  await writeFile(join(ROOT, "cgroup.subtree_control"), "+memory +pids +cpu");
  await writeFile(join(parent, "cgroup.subtree_control"), "+memory +pids +cpu");
  const dir = join(parent, id);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "memory.max"), String(limits.memoryMb * MiB));
  if (existsSync(join(dir, "memory.swap.max"))) await writeFile(join(dir, "memory.swap.max"), "0");
  await writeFile(join(dir, "pids.max"), String(limits.pids));
  await writeFile(join(dir, "cpu.max"), `${Math.round(limits.cpus * 100_000)} 100000`);
  // cpu.shares (2..262144, default 1024) as cpu.weight (1..10000, default 100).
  await writeFile(join(dir, "cpu.weight"), String(Math.max(1, Math.min(10_000, Math.round((limits.cpuShares * 100) / 1024)))));
  return { procsFiles: [join(dir, "cgroup.procs")], oomFile: join(dir, "memory.events"), remove: () => removeGroups([dir]) };
}

/** Removes groups once their processes are gone (the kernel empties them a moment after the last one exits). */
async function removeGroups(dirs: string[]): Promise<void> {
  for (const dir of dirs) {
    for (let attempt = 0; ; attempt++) {
      try {
        await rmdir(dir);
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") break;
        if (code !== "EBUSY" || attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }
}

/** Removes session groups that no process uses any more: left by a host that did not shut down. */
export async function removeEmptySessionCgroups(): Promise<number> {
  const layout = cgroupLayout();
  if (!layout) return 0;
  const parents = layout.version === 1 ? ["memory", "pids", "cpu"].map((c) => join(ROOT, c, GROUP)) : [join(ROOT, GROUP)];
  let removed = 0;
  for (const parent of parents) {
    const children = await readdir(parent, { withFileTypes: true }).catch(() => []);
    for (const child of children.filter((entry) => entry.isDirectory())) {
      const dir = join(parent, child.name);
      const procs = await readFile(join(dir, "cgroup.procs"), "utf8").catch(() => "x");
      if (procs.trim() === "") {
        await rmdir(dir).then(
          () => removed++,
          () => undefined,
        );
      }
    }
  }
  return removed;
}
