import type Docker from "dockerode";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../package-root";
import type { Runtime } from "../../runtimes/manifest";
import type { ImageProgress } from "../backend";
import { ContextFile, contextHash, packContext } from "./build-context";
import { fetchFile } from "./fetch-file";

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

  constructor(private readonly docker: Docker) {}

  /** The image for a runtime, built if this recipe has not been built yet. */
  async runtimeImage(runtime: Runtime, onProgress?: ProgressListener): Promise<string> {
    const runner = await this.runnerImage(onProgress);
    const { manifest, directory } = runtime;
    const local = recipeFiles(runtime);
    const dockerfile = local.find((file) => file.name === manifest.image.dockerfile);
    if (!dockerfile) throw new Error(`${directory} has no ${manifest.image.dockerfile}`);
    const files = [
      ...local.filter((file) => file !== dockerfile),
      { name: "Dockerfile", content: Buffer.from(withRunner(dockerfile.content.toString("utf8"), runner)) },
    ];
    // Fetched files enter the tag by their integrity, so they are downloaded only when a build is needed.
    const fetched = manifest.image.fetch.map((file) => `${file.to}:${file.mode}:${file.integrity}`);
    const tag = `codebeaker/${manifest.language}:${contextHash(files, fetched)}`;
    return this.ensure(tag, manifest.language, onProgress, async () => [
      ...files,
      ...(await Promise.all(
        manifest.image.fetch.map(async (file) => ({ name: file.to, content: await fetchFile(file), mode: file.mode })),
      )),
    ]);
  }

  /** A user's image (the guide's `dockerImage`) with the runner added, so it can host a session. */
  async customImage(base: string, onProgress?: ProgressListener): Promise<string> {
    const runner = await this.runnerImage(onProgress);
    const context = [{ name: "Dockerfile", content: Buffer.from(withRunner(`FROM ${base}\n`, runner)) }];
    const tag = `codebeaker/custom:${contextHash(context)}`;
    return this.ensure(tag, null, onProgress, async () => context);
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
  ) {
    let build = this.builds.get(tag);
    if (!build) {
      build = this.buildIfMissing(tag, language, onProgress ?? (() => undefined), context);
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
  ) {
    try {
      await this.docker.getImage(tag).inspect();
      return tag;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    }
    onProgress({ image: tag, language, phase: "start", message: `Building ${tag}` });
    const labels = { "codebeaker.image": "true", ...(language ? { "codebeaker.language": language } : {}) };
    const stream = await this.docker.buildImage(packContext(await context()), { t: tag, rm: true, forcerm: true, labels });
    const tail: string[] = [];
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (error: Error | null, events: BuildEvent[]) => {
          const failure = error?.message ?? events.find((event) => event.error)?.error;
          if (failure) reject(new Error(`building ${tag} failed: ${failure.trim()}\n${tail.join("")}`));
          else resolve();
        },
        (event: BuildEvent) => {
          const line = event.stream ?? event.status;
          if (!line || !line.trim()) return;
          tail.push(line.endsWith("\n") ? line : `${line}\n`);
          if (tail.length > 30) tail.shift();
          if (line.startsWith("Step ")) onProgress({ image: tag, language, phase: "step", message: line.trim() });
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

function withRunner(dockerfile: string, runnerImage: string): string {
  const separator = dockerfile.endsWith("\n") ? "" : "\n";
  return `${dockerfile}${separator}\n# Added by CodeBeaker: the in-sandbox runner (PID 1 of every session).\nCOPY --from=${runnerImage} /cb-runner ${RUNNER_PATH}\n`;
}

/** A runtime folder's files that shape its image: everything but its manifest and test program. */
function recipeFiles(runtime: Runtime): ContextFile[] {
  const skipped = new Set(["runtime.json", runtime.manifest.testProgram]);
  return readdirSync(runtime.directory)
    .filter((name) => !skipped.has(name) && statSync(join(runtime.directory, name)).isFile())
    .map((name) => ({ name, content: readFileSync(join(runtime.directory, name)) }));
}
