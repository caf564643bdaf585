import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ImageProgress } from "../../host/isolation/backend";
import { startHost } from "../../host/host";
import { guideImageName, ImageBuilder } from "../../host/isolation/docker/images";
import { silentLogger } from "../../host/log";
import { RuntimeRegistry, loadRuntime } from "../../contract/runtimes/registry";
import { createSession, docker, execute } from "./helpers";

/** A copy of the python runtime folder; its default version's folder, to change its recipe without touching the real one. */
function pythonCopy(): string {
  const version = RuntimeRegistry.builtIn().find("python")!.directory;
  const folder = join(mkdtempSync(join(tmpdir(), "codebeaker-runtime-")), "python");
  cpSync(dirname(version), folder, { recursive: true });
  return join(folder, basename(version));
}

describe("runtime images", () => {
  const builder = new ImageBuilder(docker);

  it("are tagged by their recipe: an unchanged recipe is not rebuilt, a changed one is", async () => {
    const folder = pythonCopy();
    const events: ImageProgress[] = [];
    const original = await builder.runtimeImage(loadRuntime(folder), (event) => events.push(event));
    expect(original).toBe(await new ImageBuilder(docker).runtimeImage(RuntimeRegistry.builtIn().find("python")!));
    expect(events).toEqual([]); // built by the global setup: nothing to do

    const dockerfile = join(folder, "Dockerfile");
    writeFileSync(dockerfile, `${readFileSync(dockerfile, "utf8")}RUN echo changed > /etc/codebeaker-recipe-test\n`);
    const changed = await builder.runtimeImage(loadRuntime(folder), (event) => events.push(event));
    try {
      expect(changed).not.toBe(original);
      expect(changed).toMatch(/^codebeaker\/python:3\.13-[0-9a-f]{16}$/);
      expect(events.map((event) => event.phase)).toEqual(expect.arrayContaining(["start", "step", "done"]));
      expect(events.every((event) => event.image === changed && event.language === "python")).toBe(true);
      const inspected = await docker.getImage(changed).inspect();
      expect(inspected.Config.Labels).toMatchObject({ "codebeaker.image": "true", "codebeaker.language": "python" });
    } finally {
      await docker.getImage(changed).remove({ force: true });
    }
  });

  it("refuses a downloaded file that does not match its integrity", async () => {
    const folder = pythonCopy();
    const manifest = JSON.parse(readFileSync(join(folder, "runtime.json"), "utf8"));
    const deno = RuntimeRegistry.builtIn().find("deno")!.manifest.image.fetch[0]!;
    manifest.image = { fetch: [{ ...deno, integrity: `sha512-${Buffer.alloc(64).toString("base64")}`, to: "deno" }] };
    writeFileSync(join(folder, "runtime.json"), JSON.stringify(manifest));
    const failed = builder.runtimeImage(loadRuntime(folder));
    await expect(failed).rejects.toThrow(/does not match its integrity .*: refusing it/);
  });
});

describe("the usage guide's image names", () => {
  it("name each runtime version's image, and the default's as latest, as docker images shows", async () => {
    const images = new ImageBuilder(docker);
    const registry = RuntimeRegistry.builtIn();
    for (const runtime of registry.allVersions()) {
      const { language, version } = runtime.manifest;
      const names =
        registry.find(language) === runtime
          ? [guideImageName(language, version), guideImageName(language)]
          : [guideImageName(language, version)];
      for (const name of names)
        await docker
          .getImage(name)
          .remove({ noprune: true })
          .catch(() => undefined); // the names only: from scratch
      const image = await images.runtimeImage(runtime);
      for (const name of names) expect((await docker.getImage(name).inspect()).Id, name).toBe((await docker.getImage(image).inspect()).Id);
    }
    const listed = (await docker.listImages()).flatMap((image) => image.RepoTags ?? []);
    expect(listed).toEqual(
      expect.arrayContaining([
        "codebeaker-python:latest",
        "codebeaker-python:3.13",
        "codebeaker-python:3.11",
        "codebeaker-java:latest",
        "codebeaker-java:21",
      ]),
    );
    const latest = await docker.getImage("codebeaker-java:latest").inspect();
    expect(latest.Id).toBe((await docker.getImage("codebeaker-java:21").inspect()).Id);
  });

  it("work verbatim as a session's dockerImage, with no pull, even before the name exists", async () => {
    await docker
      .getImage("codebeaker-python:latest")
      .remove({ noprune: true })
      .catch(() => undefined); // the tag only
    const host = await startHost({ log: silentLogger });
    try {
      const session = await createSession(host, { language: "python", dockerImage: "codebeaker-python:latest" });
      expect(session.createResult().config.dockerImage).toBe("codebeaker-python:latest");
      expect(session.sandbox.image).toMatch(/^codebeaker\/python:3\.13-[0-9a-f]{16}$/);
      expect((await execute(session, { type: "execute_code", code: "print('from the guide')" })).stdout).toBe("from the guide\n");
      await docker.getImage("codebeaker-python:latest").inspect();
    } finally {
      await host.shutdown();
    }
  });
});
