import Docker from "dockerode";
import { resolveEngineConnection } from "../../host/isolation/docker/engine-connection";
import { DockerBackend } from "../../host/isolation/docker/docker-backend";
import { silentLogger } from "../../host/log";
import { RuntimeRegistry } from "../../contract/runtimes/registry";
import { Labels } from "../../host/isolation/docker/container-spec";
import { ownerIsGone } from "../../host/isolation/docker/owner";

/**
 * Before: a Docker engine must answer (the suite never fakes it), and every runtime version's image is built once, so
 * test timeouts measure the tests and not the first build.
 * After: no sandbox container may outlive the host that made it. (In-process hosts are checked as they shut
 * down, in useHost; here, the hosts the suite ran as processes. A host still running — another CodeBeaker on
 * this machine — owns its containers legitimately.)
 */
export async function setup(): Promise<() => Promise<void>> {
  const docker = new Docker(resolveEngineConnection().options);
  const engine = await DockerBackend.probe(docker);
  if (!engine.ok) {
    throw new Error(`integration tests need a Docker engine (${engine.reason}); run: npm run setup`);
  }
  const backend = new DockerBackend(docker, silentLogger);
  const before = new Set((await sandboxes(docker)).map((info) => info.Id));
  for (const runtime of RuntimeRegistry.builtIn().allVersions()) {
    const started = Date.now();
    const image = await backend.images.runtimeImage(runtime);
    process.stderr.write(`[integration] ${image} ready (${Date.now() - started} ms)\n`);
  }
  return async () => {
    const leftovers = (await sandboxes(docker)).filter((info) => !before.has(info.Id) && ownerIsGone(info.Labels[Labels.owner]));
    if (leftovers.length) {
      await Promise.all(
        leftovers.map((info) =>
          docker
            .getContainer(info.Id)
            .remove({ force: true })
            .catch(() => {}),
        ),
      );
      throw new Error(`the suite left ${leftovers.length} sandbox container(s): ${leftovers.map((i) => i.Names[0]).join(", ")}`);
    }
  };
}

function sandboxes(docker: Docker) {
  return docker.listContainers({ all: true, filters: { label: [Labels.owner] } });
}
