import Docker from "dockerode";
import { resolveEngineConnection } from "../../host/isolation/docker/engine-connection";
import { Labels } from "../../host/isolation/docker/container-spec";
import { ownerIsGone } from "../../host/isolation/docker/owner";

const docker = new Docker(resolveEngineConnection().options);

/** The sandbox containers that exist now (any owner), to tell later which ones a run made. */
export async function sandboxContainerIds(): Promise<Set<string>> {
  const containers = await docker.listContainers({ all: true, filters: { label: [Labels.owner] } });
  return new Set(containers.map((info) => info.Id));
}

/**
 * Sandbox containers made since `before` whose owning host process has ended: what a closed VS Code left
 * behind. They are removed, and their names returned.
 */
export async function removeLeftovers(before: Set<string>): Promise<string[]> {
  const containers = await docker.listContainers({ all: true, filters: { label: [Labels.owner] } });
  const leftovers = containers.filter((info) => !before.has(info.Id) && ownerIsGone(info.Labels[Labels.owner]));
  await Promise.all(leftovers.map((info) => docker.getContainer(info.Id).remove({ force: true })));
  return leftovers.map((info) => info.Names[0] ?? info.Id);
}
