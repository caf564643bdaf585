import type Docker from "dockerode";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ImageBuilder, WARM_CONTEXT, withWarmParts } from "../../host/isolation/docker/images";
import { loadLanguage } from "../../contract/runtimes/registry";
import { warmFiles, warmFolder, warmSetupRequired } from "../../host/runtimes/warm-folder";

/** An engine where every image exists already: runtimeImage answers the tag it would build, building nothing. */
const everyImageExists = {
  getImage: () => ({ inspect: async () => ({}), tag: async () => undefined }),
  buildImage: async () => {
    throw new Error("nothing should be built");
  },
} as unknown as Docker;

const base = mkdtempSync(join(tmpdir(), "codebeaker-warm-images-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A copy of runtimes/python without its own warm folder, to give it one. */
function pythonCopy(name: string): string {
  const folder = join(base, name, "python");
  cpSync(join(__dirname, "..", "..", "runtimes", "python"), folder, { recursive: true });
  rmSync(join(folder, "warm"), { recursive: true, force: true });
  return folder;
}

const tagOf = (folder: string) => new ImageBuilder(everyImageExists).runtimeImage(loadLanguage(folder)[0]!);

describe("a language's warm folder in its images", () => {
  it("changes the image's tag when a file of the warm folder is added, changed or made executable", async () => {
    const folder = pythonCopy("tags");
    const without = await tagOf(folder);
    mkdirSync(join(folder, "warm", "lib"), { recursive: true });
    writeFileSync(join(folder, "warm", "launch.py"), "print('a')\n");
    const withLauncher = await tagOf(folder);
    expect(withLauncher).not.toBe(without);
    writeFileSync(join(folder, "warm", "launch.py"), "print('b')\n");
    const changed = await tagOf(folder);
    expect(changed).not.toBe(withLauncher);
    writeFileSync(join(folder, "warm", "lib", "helper.py"), "x = 1\n");
    const nested = await tagOf(folder);
    expect(nested).not.toBe(changed);
    chmodSync(join(folder, "warm", "launch.py"), 0o755);
    expect(await tagOf(folder)).not.toBe(nested);
    expect(await tagOf(folder)).toBe(await tagOf(folder));
  });

  it("lists the folder's files, subfolders too, and finds it beside the version folders", () => {
    const folder = pythonCopy("list");
    expect(warmFolder(loadLanguage(folder)[0]!)).toBeUndefined();
    mkdirSync(join(folder, "warm", "src"), { recursive: true });
    writeFileSync(join(folder, "warm", "setup.sh"), "true\n");
    writeFileSync(join(folder, "warm", "src", "Main.java"), "class Main {}\n");
    chmodSync(join(folder, "warm", "setup.sh"), 0o755);
    expect(warmFolder(loadLanguage(folder)[0]!)).toBe(join(folder, "warm"));
    expect(warmFiles(join(folder, "warm"))).toEqual([
      { path: "setup.sh", executable: true },
      { path: "src/Main.java", executable: false },
    ]);
  });

  it("needs its setup.sh to have run unless the script says it is optional (process isolation runs no setup)", () => {
    const warm = join(pythonCopy("setup-required"), "warm");
    mkdirSync(warm, { recursive: true });
    expect(warmSetupRequired(warm)).toBe(false); // no setup.sh
    writeFileSync(join(warm, "setup.sh"), "#!/bin/sh\n# builds what the parts run\ncc -o launcher launcher.c\n");
    expect(warmSetupRequired(warm)).toBe(true);
    writeFileSync(join(warm, "setup.sh"), "#!/bin/sh\n# warm: optional (only faster)\npython3 compile.py\n");
    expect(warmSetupRequired(warm)).toBe(false);
    writeFileSync(join(warm, "setup.sh"), "#!/bin/sh\necho '# warm: optional'\n"); // not a line of its own
    expect(warmSetupRequired(warm)).toBe(true);
    // Python's own: its launcher runs without the compiled body, from the source.
    expect(warmSetupRequired(join(__dirname, "..", "..", "runtimes", "python", "warm"))).toBe(false);
  });

  it("copies the folder after the version's Dockerfile, runs its setup.sh as root there, and leaves it read-only", () => {
    const launcher = { name: `${WARM_CONTEXT}/launch.py`, content: Buffer.from("") };
    const setup = { name: `${WARM_CONTEXT}/setup.sh`, content: Buffer.from("") };
    expect(withWarmParts("FROM debian\n", [])).toBe("FROM debian\n");
    const recipe = withWarmParts("FROM debian\nRUN true", [launcher, setup]);
    expect(recipe.startsWith("FROM debian\nRUN true\n")).toBe(true);
    expect(recipe).toContain(`USER root\nCOPY ${WARM_CONTEXT}/ /opt/codebeaker/warm/\n`);
    expect(recipe).toContain("RUN cd /opt/codebeaker/warm && sh ./setup.sh && chown -R root:root . && chmod -R a+rX,go-w .\n");
    expect(withWarmParts("FROM debian\n", [launcher])).not.toContain("setup.sh");
  });
});
