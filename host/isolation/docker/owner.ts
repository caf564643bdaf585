import { readFileSync, readlinkSync } from "node:fs";
import { hostname } from "node:os";

/**
 * Which host process made a sandbox: `<hostname>/<pid namespace>/<pid>`. Its start time (ownerStartTime) goes
 * beside it in a label of its own, so that a pid the kernel has given to another process since is not taken for
 * the owner, while the owner label alone still finds a process's sandboxes.
 */
export function ownerLabel(pid = process.pid): string {
  return `${hostname()}/${pidNamespace()}/${pid}`;
}

/** When the process started, in clock ticks after boot as /proc says it; undefined when it cannot be read. */
export function ownerStartTime(pid = process.pid): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 22; the name before it is in parentheses and may hold spaces.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/**
 * What this process can tell of a sandbox's owner from its labels: `gone` when it is on this machine, in this PID
 * namespace, and no process with its pid (and start time, when the label has one) is there; `alive` when it is;
 * `unknown` otherwise (a host on another machine sharing the engine, a host in another container), which only
 * the engine can judge further (leftovers.ts).
 */
export type OwnerVerdict = "gone" | "alive" | "unknown";

export function judgeOwner(owner: string | undefined, started?: string): OwnerVerdict {
  const [ownerHost, namespace, pid] = (owner ?? "").split("/");
  if (ownerHost !== hostname() || namespace !== pidNamespace() || !pid || !/^\d+$/.test(pid)) return "unknown";
  try {
    process.kill(Number(pid), 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH" ? "gone" : "alive";
  }
  if (!started) return "alive"; // an older host's label: the pid alone is all there is to go by
  const now = ownerStartTime(Number(pid));
  return now === undefined || now === started ? "alive" : "gone";
}

export function ownerIsGone(owner: string | undefined, started?: string): boolean {
  return judgeOwner(owner, started) === "gone";
}

/**
 * The id of the Docker container this process runs in, if it runs in one: Docker bind-mounts the container's own
 * `hostname` file from `…/containers/<id>/`. Whether that container is on the engine the sandboxes are on is for
 * the engine to say (see leftovers.ts).
 */
export function ownContainerId(mountinfo = readMountinfo()): string | undefined {
  return /\/containers\/([0-9a-f]{64})\/hostname /.exec(mountinfo)?.[1];
}

function readMountinfo(): string {
  try {
    return readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return "";
  }
}

let namespace: string | undefined;

function pidNamespace(): string {
  if (namespace === undefined) {
    try {
      namespace = /\[(\d+)\]/.exec(readlinkSync("/proc/self/ns/pid"))?.[1] ?? "unknown";
    } catch {
      namespace = "unknown";
    }
  }
  return namespace;
}
