import type Docker from "dockerode";
import { Labels } from "./container-spec";
import { judgeOwner } from "./owner";

/**
 * How long a sandbox whose owner nobody here can judge may sit created or stopped before it counts as abandoned.
 * A live host starts a container within seconds of creating it (and removes it if the runner does not answer), and
 * a container that ends is removed by AutoRemove; one still there after this is no live host's.
 */
export const ABANDONED_AFTER_MS = 10 * 60_000;

/**
 * The sandboxes on this engine that no live host owns (never `self`'s): those whose owner is provably gone,
 * because it was a process on this machine (owner.ts) or a container on this engine that has stopped or started
 * again since; and those whose owner cannot be judged at all (a host on another machine) only once they are
 * not running and old enough to be abandoned. A running sandbox of an owner elsewhere is left to that owner.
 */
export async function findLeftovers(docker: Docker, self: string, now = Date.now()): Promise<Docker.ContainerInfo[]> {
  const containers = await docker.listContainers({ all: true, filters: { label: [Labels.owner] } });
  const judged = await Promise.all(containers.map(async (info) => ((await isLeftover(docker, info, self, now)) ? [info] : [])));
  return judged.flat();
}

async function isLeftover(docker: Docker, info: Docker.ContainerInfo, self: string, now: number): Promise<boolean> {
  const owner = info.Labels[Labels.owner];
  if (owner === self) return false;
  const verdict = judgeOwner(owner, info.Labels[Labels.ownerStarted]);
  if (verdict !== "unknown") return verdict === "gone";
  const ownerContainer = info.Labels[Labels.ownerContainer];
  if (ownerContainer) return ownerContainerIsGone(docker, ownerContainer, info.Id);
  return info.State !== "running" && now - info.Created * 1000 > ABANDONED_AFTER_MS;
}

/**
 * A host running in a container on this engine is gone when that container is, or has stopped, or has started
 * again since it made the sandbox (a restarted service is a new host: what the old one left is a leftover).
 */
async function ownerContainerIsGone(docker: Docker, ownerId: string, sandboxId: string): Promise<boolean> {
  try {
    const [owner, sandbox] = await Promise.all([docker.getContainer(ownerId).inspect(), docker.getContainer(sandboxId).inspect()]);
    return !owner.State.Running || Date.parse(owner.State.StartedAt) > Date.parse(sandbox.Created);
  } catch (error) {
    return (error as { statusCode?: number }).statusCode === 404 && (await exists(docker, sandboxId));
  }
}

async function exists(docker: Docker, id: string): Promise<boolean> {
  return docker
    .getContainer(id)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}
