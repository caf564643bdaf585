import { readlinkSync } from "node:fs";
import { hostname } from "node:os";

/**
 * Which host process made a sandbox: `<hostname>/<pid namespace>/<pid>`. A later host removes a running
 * sandbox as a leftover only when it can tell that owner is gone: same machine, same PID namespace, and no
 * process with that pid. Anything it cannot judge (another machine sharing the engine, a host in another
 * container) is left alone.
 */
export function ownerLabel(pid = process.pid): string {
  return `${hostname()}/${pidNamespace()}/${pid}`;
}

export function ownerIsGone(owner: string | undefined): boolean {
  const [ownerHost, namespace, pid] = (owner ?? "").split("/");
  if (ownerHost !== hostname() || namespace !== pidNamespace() || !pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
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
