import Docker from "dockerode";
import { PassThrough, type Duplex } from "node:stream";
import type { Logger } from "../../log";
import type { ImageProgress, IsolationBackend, Sandbox, SandboxSpec } from "../backend";
import { SandboxLostError } from "../backend";
import { RunnerClient } from "../runner-client";
import { containerOptions, Labels } from "./container-spec";
import { ImageBuilder } from "./images";
import { ownerIsGone, ownerLabel } from "./owner";

const HELLO_TIMEOUT_MS = 30_000;

/** Sessions in Docker containers (runc). One container per session; dockerode lives only here. */
export class DockerBackend implements IsolationBackend {
  readonly kind = "docker" as const;
  readonly images: ImageBuilder;
  private readonly owner = ownerLabel();
  private readonly live = new Set<DockerSandbox>();

  constructor(
    readonly docker: Docker,
    private readonly log: Logger,
  ) {
    this.images = new ImageBuilder(docker);
  }

  /** Whether an engine answers, with the reason when it does not. */
  static async probe(docker: Docker): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
    try {
      const version = await docker.version();
      return { ok: true, version: version.Version };
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
  }

  async createSandbox(spec: SandboxSpec, onProgress?: (progress: ImageProgress) => void): Promise<Sandbox> {
    try {
      return await this.startSandbox(spec, onProgress);
    } catch (error) {
      throw explainUnreachableEngine(error, this.docker);
    }
  }

  private async startSandbox(spec: SandboxSpec, onProgress?: (progress: ImageProgress) => void): Promise<Sandbox> {
    const image = spec.customImage
      ? await this.images.customImage(spec.customImage, onProgress)
      : await this.images.runtimeImage(spec.runtime, onProgress);
    const container = await this.docker.createContainer(containerOptions(spec, image, this.owner));
    try {
      // Attach before start, so the runner's hello is not missed.
      const stream = (await container.attach({
        stream: true,
        stdin: true,
        stdout: true,
        stderr: true,
        hijack: true,
      })) as Duplex;
      const fromRunner = new PassThrough();
      const runnerLog = new PassThrough();
      this.docker.modem.demuxStream(stream, fromRunner, runnerLog);
      stream.on("end", () => fromRunner.end());
      stream.on("close", () => fromRunner.end());
      runnerLog.on("data", (chunk: Buffer) => this.log.warn(`[${spec.sessionId}] runner: ${chunk.toString().trim()}`));
      const client = new RunnerClient(stream, fromRunner, spec.sessionId);
      await container.start();
      await withTimeout(client.ready(), HELLO_TIMEOUT_MS, `the runner in ${image} did not start`);
      const sandbox = new DockerSandbox(container, image, client, stream, () => this.live.delete(sandbox));
      this.live.add(sandbox);
      return sandbox;
    } catch (error) {
      await container.remove({ force: true }).catch(() => undefined);
      throw error;
    }
  }

  async removeLeftovers(): Promise<number> {
    const containers = await this.docker.listContainers({ all: true, filters: { label: [Labels.owner] } });
    const leftovers = containers.filter((info) => info.State !== "running" || ownerIsGone(info.Labels[Labels.owner]));
    await Promise.all(leftovers.map((info) => removeQuietly(this.docker.getContainer(info.Id))));
    if (leftovers.length) this.log.info(`removed ${leftovers.length} sandbox container(s) left by an earlier host`);
    return leftovers.length;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.live].map((sandbox) => sandbox.close()));
  }
}

class DockerSandbox implements Sandbox {
  readonly ended: Promise<void>;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly container: Docker.Container,
    readonly image: string,
    private readonly client: RunnerClient,
    private readonly stream: Duplex,
    private readonly onClosed: () => void,
  ) {
    this.ended = new Promise((resolve) => {
      stream.once("close", resolve);
      stream.once("end", resolve);
    });
    // A container that died by itself (killed, out of memory) is removed like a closed one.
    void this.ended.then(() => this.close());
  }

  get id(): string {
    return this.container.id;
  }

  run: Sandbox["run"] = (request, observer) => this.client.run(request, observer);
  writeFile: Sandbox["writeFile"] = (path, content, mode) => this.client.writeFile(path, content, mode);
  readFile: Sandbox["readFile"] = (path, maxBytes) => this.client.readFile(path, maxBytes);
  makeDirectory: Sandbox["makeDirectory"] = (path) => this.client.makeDirectory(path);
  copyFile: Sandbox["copyFile"] = (source, destination) => this.client.copyFile(source, destination);
  remove: Sandbox["remove"] = (path) => this.client.remove(path);
  list: Sandbox["list"] = (path) => this.client.list(path);

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.client.fail(new SandboxLostError("the session was closed"));
      await removeQuietly(this.container);
      this.stream.destroy();
      this.onClosed();
    })();
    return this.closing;
  }
}

/** A connection error to the engine, said as what it means and what to do. Other errors pass unchanged. */
function explainUnreachableEngine(error: unknown, docker: Docker): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (!code || !["ENOENT", "ECONNREFUSED", "EACCES", "ETIMEDOUT", "EHOSTUNREACH"].includes(code)) return error;
  const modem = docker.modem as { socketPath?: string; host?: string; port?: number };
  const where = modem.socketPath ? `unix://${modem.socketPath}` : `tcp://${modem.host}:${modem.port}`;
  const hint =
    code === "EACCES"
      ? "this user may not use it (add it to the docker group, or run as root)"
      : "start Docker (npm run setup does it on Debian), or point DOCKER_HOST at a running engine";
  return new Error(`no Docker engine answers at ${where} (${code}): ${hint}`, { cause: error });
}

/** Removes a container; one already gone (or being removed by AutoRemove) is fine. */
async function removeQuietly(container: Docker.Container): Promise<void> {
  try {
    await container.remove({ force: true });
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== 404 && status !== 409) throw error;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
