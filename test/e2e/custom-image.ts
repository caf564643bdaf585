import Docker from "dockerode";
import { resolveEngineConnection } from "../../host/isolation/docker/engine-connection";
import { ImageBuilder } from "../../host/isolation/docker/images";
import { RuntimeRegistry } from "../../contract/runtimes/registry";

const docker = new Docker(resolveEngineConnection().options);

const customTags = async () =>
  new Set((await docker.listImages({ filters: { reference: ["codebeaker/custom"] } })).flatMap((image) => image.RepoTags ?? []));

/**
 * A name of its own for the Python runtime's image, for `codebeaker.languages.python.image`: a user's image the
 * host has never seen, so the first run builds one on top of it (as it does for any user image) and the test sees
 * that build's progress. `remove` takes away the name and the image the host built on it: both are this test's.
 */
export async function freshPythonBase(): Promise<{ name: string; remove(): Promise<void> }> {
  const python = RuntimeRegistry.builtIn().find("python");
  if (!python) throw new Error("no python runtime");
  const runtimeImage = await new ImageBuilder(docker).runtimeImage(python);
  const repo = "codebeaker-e2e/python-base";
  const tag = `${Date.now().toString(36)}-${process.pid}`;
  await docker.getImage(runtimeImage).tag({ repo, tag });
  const before = await customTags();
  return {
    name: `${repo}:${tag}`,
    async remove() {
      const built = [...(await customTags())].filter((custom) => !before.has(custom));
      for (const image of [...built, `${repo}:${tag}`]) await docker.getImage(image).remove();
    },
  };
}
