import type Docker from "dockerode";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { packageRoot } from "../../../contract/package-root";
import { isImageReference } from "../../../contract/protocol/image-reference";
import type { Runtime } from "../../../contract/runtimes/manifest";
import { defaultOf, LANGUAGE_FILE, loadLanguage } from "../../../contract/runtimes/registry";
import { WARM_PATH, WARM_SETUP, warmFiles, warmFolder } from "../../runtimes/warm-folder";
import { CustomImageError, type ImageProgress } from "../backend";
import { buildStep } from "./build-step";
import { ContextFile, contextHash, packContext } from "./build-context";
import { machineCaBundle } from "./ca-bundle";
import { fetchFile } from "./fetch-file";
import { NETWORK_CA_FILE, networkDockerfile } from "./network-image";
import {
  CA_FILE,
  describeInstallFailure,
  installEnvironment,
  PackageInstallError,
  packagesDockerfile,
  packagesTag,
  proxyBuildArgs,
} from "./packages-image";

/** Where the runner lives in every sandbox image. */
export const RUNNER_PATH = "/opt/codebeaker/cb-runner";

const RUNNER_SOURCES = join("host", "isolation", "runner");

export type ProgressListener = (progress: ImageProgress) => void;

interface BuildEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * Builds the images sandboxes run in, on first use: the runner, then each runtime's recipe with the runner
 * copied in. Tags carry a hash of the recipe, so a changed recipe builds a new image and an unchanged one is
 * never rebuilt. Concurrent requests for one image share one build.
 */
export class ImageBuilder {
  private readonly builds = new Map<string, Promise<string>>();
  private readonly tags = new Map<string, Promise<void>>();

  constructor(private readonly docker: Docker) {}

  /** The image for a runtime, built if this recipe has not been built yet. */
  async runtimeImage(runtime: Runtime, onProgress?: ProgressListener): Promise<string> {
    const { manifest, directory } = runtime;
    if (manifest.image.from) return this.customImage(manifest.image.from, onProgress);
    const runner = await this.runnerImage(onProgress);
    const local = recipeFiles(runtime);
    const dockerfile = local.find((file) => file.name === manifest.image.dockerfile);
    if (!dockerfile) throw new Error(`${directory} has no ${manifest.image.dockerfile}`);
    const warm = warmContext(runtime);
    const recipe = withWarmParts(dockerfile.content.toString("utf8"), warm);
    const files = [
      ...local.filter((file) => file !== dockerfile),
      ...warm,
      { name: "Dockerfile", content: Buffer.from(withRunner(recipe, runner)) },
    ];
    // Fetched files enter the tag by their integrity, so they are downloaded only when a build is needed.
    const fetched = manifest.image.fetch.map((file) => `${file.to}:${file.mode}:${file.integrity}`);
    const tag = `codebeaker/${manifest.language}:${manifest.version}-${contextHash(files, fetched)}`;
    const image = await this.ensure(tag, manifest.language, onProgress, async () => [
      ...files,
      ...(await Promise.all(
        manifest.image.fetch.map(async (file) => ({ name: file.to, content: await fetchFile(file), mode: file.mode })),
      )),
    ]);
    for (const name of guideImageNames(runtime)) await this.tagOnce(image, name);
    return image;
  }

  /** Gives an image a second name (once per host process and image), moving that name from an older build. */
  private tagOnce(image: string, name: string): Promise<void> {
    const key = `${image} ${name}`;
    let tagging = this.tags.get(key);
    if (!tagging) {
      const [repo = name, tag = "latest"] = name.split(":");
      tagging = this.docker.getImage(image).tag({ repo, tag });
      this.tags.set(key, tagging);
      tagging.catch(() => this.tags.delete(key));
    }
    return tagging;
  }

  /**
   * A runtime's image with a list of packages installed (see packages-image.ts), built the first time the list
   * is asked for. The build runs on the engine with network; sessions started from it have none.
   */
  async packagesImage(runtime: Runtime, base: string, packages: readonly string[], onProgress?: ProgressListener): Promise<string> {
    const { language, packages: install } = runtime.manifest;
    if (!install) throw new PackageInstallError(`the ${language} runtime does not say how to install packages`);
    const tag = packagesTag(language, base, install, packages);
    const build = {
      labels: { "codebeaker.packages": packages.join(" ") },
      buildargs: proxyBuildArgs(),
    };
    const context = async () => [
      { name: "Dockerfile", content: Buffer.from(packagesDockerfile(base, install, packages, installEnvironment(install))) },
      { name: CA_FILE, content: machineCaBundle() },
      ...(await Promise.all(install.fetch.map(async (file) => ({ name: file.to, content: await fetchFile(file), mode: file.mode })))),
    ];
    try {
      return await this.ensure(tag, language, onProgress, context, build);
    } catch (error) {
      const failure = error instanceof BuildError ? error.output : (error as Error).message;
      throw new PackageInstallError(describeInstallFailure(language, install, packages, failure), { cause: error });
    }
  }

  /** An image with this machine's CA bundle added, for a session with network (see network-image.ts). */
  networkImage(base: string, onProgress?: ProgressListener): Promise<string> {
    const context = [
      { name: "Dockerfile", content: Buffer.from(networkDockerfile(base)) },
      { name: NETWORK_CA_FILE, content: machineCaBundle() },
    ];
    return this.ensure(`codebeaker/network:${contextHash(context)}`, null, onProgress, async () => context);
  }

  /** A user's image (the guide's `dockerImage`) with the runner added, so it can host a session. */
  async customImage(base: string, onProgress?: ProgressListener): Promise<string> {
    // The reference becomes a line of a Dockerfile: anything but one image name could add build steps.
    if (!isImageReference(base)) throw new Error(`dockerImage: ${JSON.stringify(base)} is not an image reference`);
    const runner = await this.runnerImage(onProgress);
    const context = [{ name: "Dockerfile", content: Buffer.from(withRunner(`FROM ${base}\n`, runner)) }];
    const tag = `codebeaker/custom:${contextHash(context)}`;
    try {
      return await this.ensure(tag, null, onProgress, async () => context);
    } catch (error) {
      const reason = error instanceof BuildError ? error.failure : (error as Error).message;
      throw new CustomImageError(base, reason, { cause: error });
    }
  }

  /** The image holding the static cb-runner binary, compiled from its C source. */
  runnerImage(onProgress?: ProgressListener): Promise<string> {
    const directory = join(packageRoot(), RUNNER_SOURCES);
    const context = readdirSync(directory).map((name) => ({ name, content: readFileSync(join(directory, name)) }));
    return this.ensure(`codebeaker/runner:${contextHash(context)}`, null, onProgress, async () => context);
  }

  private ensure(
    tag: string,
    language: string | null,
    onProgress: ProgressListener | undefined,
    context: () => Promise<ContextFile[]>,
    options: BuildOptions = {},
  ) {
    let build = this.builds.get(tag);
    if (!build) {
      build = this.buildIfMissing(tag, language, onProgress ?? (() => undefined), context, options);
      this.builds.set(tag, build);
      build.catch(() => this.builds.delete(tag)); // a failed build may be retried
    }
    return build;
  }

  private async buildIfMissing(
    tag: string,
    language: string | null,
    onProgress: ProgressListener,
    context: () => Promise<ContextFile[]>,
    options: BuildOptions,
  ) {
    try {
      await this.docker.getImage(tag).inspect();
      return tag;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
    onProgress({ image: tag, language, phase: "start", message: `Building ${tag}` });
    const labels = { "codebeaker.image": "true", ...(language ? { "codebeaker.language": language } : {}), ...options.labels };
    const stream = await this.docker.buildImage(packContext(await context()), {
      t: tag,
      rm: true,
      forcerm: true,
      labels,
      ...(options.buildargs && Object.keys(options.buildargs).length ? { buildargs: options.buildargs } : {}),
    });
    const tail: string[] = [];
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (error: Error | null, events: BuildEvent[]) => {
          const failure = error?.message ?? events.find((event) => event.error)?.error;
          if (failure) reject(new BuildError(`building ${tag} failed: ${failure.trim()}\n${tail.join("")}`, tail.join(""), failure.trim()));
          else resolve();
        },
        (event: BuildEvent) => {
          const line = event.stream ?? event.status;
          if (!line || !line.trim()) return;
          tail.push(line.endsWith("\n") ? line : `${line}\n`);
          if (tail.length > 30) tail.shift();
          const step = buildStep(line);
          if (step) onProgress({ image: tag, language, phase: "step", message: line.trim(), step });
        },
      );
    }).catch((error: Error) => {
      onProgress({ image: tag, language, phase: "failed", message: error.message });
      throw error;
    });
    onProgress({ image: tag, language, phase: "done", message: `Built ${tag}` });
    return tag;
  }
}

interface BuildOptions {
  labels?: Record<string, string>;
  buildargs?: Record<string, string>;
}

/** A build the engine ran and that failed: `output` is the end of what the build printed, `failure` the engine's reason. */
class BuildError extends Error {
  constructor(
    message: string,
    readonly output: string,
    readonly failure: string,
  ) {
    super(message);
    this.name = "BuildError";
  }
}

/**
 * The name the usage guide gives a runtime's image (`codebeaker-python:latest`), and a version's own
 * (`codebeaker-python:3.11`): the newest build of the recipe carries them beside its hashed tag, so `dockerImage`
 * may name them and `docker images | grep codebeaker` finds them.
 */
export function guideImageName(language: string, version = "latest"): string {
  return `codebeaker-${language}:${version}`;
}

/** A version's guide names: its own, and `latest` for its language's default version. */
export function guideImageNames(runtime: Runtime): string[] {
  const { language, version } = runtime.manifest;
  return [guideImageName(language, version), ...(isDefaultVersion(runtime) ? [guideImageName(language)] : [])];
}

const defaults = new Map<string, boolean>();

/** Whether a version folder holds its language's default version (read from the folder above, once). */
function isDefaultVersion(runtime: Runtime): boolean {
  let known = defaults.get(runtime.directory);
  if (known === undefined) {
    known =
      existsSync(join(dirname(runtime.directory), LANGUAGE_FILE)) &&
      defaultOf(loadLanguage(dirname(runtime.directory)))?.directory === runtime.directory;
    defaults.set(runtime.directory, known);
  }
  return known;
}

function withRunner(dockerfile: string, runnerImage: string): string {
  const separator = dockerfile.endsWith("\n") ? "" : "\n";
  return `${dockerfile}${separator}\n# Added by CodeBeaker: the in-sandbox runner (PID 1 of every session).\nCOPY --from=${runnerImage} /cb-runner ${RUNNER_PATH}\n`;
}

/** The context's folder for the language's warm parts: its files enter the image's hash with the recipe's. */
export const WARM_CONTEXT = "codebeaker-warm";

/** runtimes/<language>/warm/'s files, under WARM_CONTEXT in the build context. */
function warmContext(runtime: Runtime): ContextFile[] {
  const folder = warmFolder(runtime);
  if (!folder) return [];
  return warmFiles(folder).map(({ path, executable }) => ({
    name: `${WARM_CONTEXT}/${path}`,
    content: readFileSync(join(folder, path)),
    mode: executable ? 0o755 : 0o644,
  }));
}

/**
 * The version's Dockerfile, then the language's warm parts at WARM_PATH (docs/WARM.md): their setup.sh, if any,
 * runs as root in that folder, and nothing there stays writable by the sandbox's user.
 */
export function withWarmParts(dockerfile: string, warm: readonly ContextFile[]): string {
  if (!warm.length) return dockerfile;
  const separator = dockerfile.endsWith("\n") ? "" : "\n";
  const setup = warm.some((file) => file.name === `${WARM_CONTEXT}/${WARM_SETUP}`) ? `sh ./${WARM_SETUP} && ` : "";
  return (
    `${dockerfile}${separator}\n# Added by CodeBeaker: the language's warm parts (docs/WARM.md).\nUSER root\n` +
    `COPY ${WARM_CONTEXT}/ ${WARM_PATH}/\n` +
    `RUN cd ${WARM_PATH} && ${setup}chown -R root:root . && chmod -R a+rX,go-w .\n`
  );
}

/** A version folder's files that shape its image: everything but its manifest and programs. */
function recipeFiles(runtime: Runtime): ContextFile[] {
  const skipped = new Set(["runtime.json", runtime.manifest.testProgram, runtime.manifest.featureProgram]);
  return readdirSync(runtime.directory)
    .filter((name) => !skipped.has(name) && statSync(join(runtime.directory, name)).isFile())
    .map((name) => ({ name, content: readFileSync(join(runtime.directory, name)) }));
}
