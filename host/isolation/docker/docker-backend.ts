import Docker from "dockerode";
import { PassThrough, type Duplex, type Readable } from "node:stream";
import type { Logger } from "../../log";
import type { WarmParts } from "../../../contract/runtimes/manifest";
import type { ImageProgress, IsolationBackend, Sandbox, SandboxEnd, SandboxSpec } from "../backend";
import { IsolationUnavailableError, SandboxLostError } from "../backend";
import { RunnerClient } from "../runner-client";
import { RunnerSandbox } from "../runner-sandbox";
import { containerOptions, keeperOptions, Labels, Owner } from "./container-spec";
import { guideImageNames, ImageBuilder, RUNNER_PATH } from "./images";
import { findLeftovers } from "./leftovers";
import { ownContainerId, ownerLabel, ownerStartTime } from "./owner";
import { addressOf, explainUnreachableEngine, isUnreachable, type EngineAddress } from "./unreachable-engine";

const HELLO_TIMEOUT_MS = 30_000;
const PROBE_TIMEOUT_MS = 5_000;

export interface DockerBackendOptions {
  /** `gvisor` runs containers with the engine's gVisor runtime (runsc) instead of runc. */
  kind: "docker" | "gvisor";
  /**
   * How the runner starts: as the container's PID 1 (`init`), with `docker exec` beside a keeper (`exec`), or
   * as PID 1 and, when that fails, with `docker exec` (the default).
   */
  runnerStart?: "init" | "exec" | "init, then exec";
  /** Where the engine is and what named it, for messages when it does not answer (default: from dockerode's options). */
  address?: EngineAddress;
}

/**
 * Sessions in Docker containers: one container per session, with runc or with gVisor (runsc).
 * dockerode lives only here.
 */
export class DockerBackend implements IsolationBackend {
  readonly kind: "docker" | "gvisor";
  readonly images: ImageBuilder;
  private readonly runnerStart: NonNullable<DockerBackendOptions["runnerStart"]>;
  private readonly address: EngineAddress;
  private readonly owner = ownerLabel();
  private ownerContainer: Promise<string | undefined> | undefined;
  private readonly live = new Set<DockerSandbox>();
  /** Containers the engine reported out of memory: an OOM under gVisor ends the whole sandbox. */
  private readonly outOfMemory = new Set<string>();
  private events: Promise<Readable | undefined> | undefined;

  constructor(
    readonly docker: Docker,
    private readonly log: Logger,
    options: DockerBackendOptions = { kind: "docker" },
  ) {
    this.kind = options.kind;
    this.runnerStart = options.runnerStart ?? "init, then exec";
    this.address = options.address ?? addressOf(docker);
    this.images = new ImageBuilder(docker);
  }

  /** Whether an engine answers, with the reason when it does not. */
  static async probe(docker: Docker, address = addressOf(docker)): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS / 1000} s`)), PROBE_TIMEOUT_MS);
      });
      const version = await Promise.race([docker.version(), timeout]);
      return { ok: true, version: version.Version };
    } catch (error) {
      return { ok: false, reason: explainUnreachableEngine(error, address).message };
    } finally {
      clearTimeout(timer);
    }
  }

  async available(): Promise<{ ok: true } | { ok: false; reason: string }> {
    const engine = await DockerBackend.probe(this.docker, this.address);
    if (!engine.ok || this.kind === "docker") return engine;
    const runtime = await this.gvisorRuntime();
    if (runtime) {
      if (!(await this.runtimeArgs(runtime)).includes("--oci-seccomp")) {
        this.log.warn(`runsc runs without --oci-seccomp: Docker's seccomp profile is not applied inside gVisor sandboxes`);
      }
      return { ok: true };
    }
    return {
      ok: false,
      reason:
        "gVisor is not installed in this Docker engine: install runsc (apt-get install runsc) and register it in " +
        '/etc/docker/daemon.json as {"runtimes":{"runsc":{"path":"/usr/bin/runsc","runtimeArgs":["--network=none","--oci-seccomp"]}}}, ' +
        "then reload dockerd (npm run setup does all of this)",
    };
  }

  async createSandbox(spec: SandboxSpec, onProgress?: (progress: ImageProgress) => void): Promise<Sandbox> {
    try {
      return await this.startSandbox(spec, onProgress);
    } catch (error) {
      throw explainUnreachableEngine(error, this.address);
    }
  }

  private async startSandbox(spec: SandboxSpec, onProgress?: (progress: ImageProgress) => void): Promise<Sandbox> {
    const ociRuntime = this.kind === "gvisor" ? await this.gvisorRuntime() : undefined;
    if (this.kind === "gvisor" && !ociRuntime)
      throw new IsolationUnavailableError("gvisor", "gVisor (runsc) is not registered with this engine");
    if (ociRuntime && spec.networkEnabled && (await this.gvisorWithoutNetwork(ociRuntime))) {
      throw new IsolationUnavailableError(
        "gvisor",
        "networkEnabled is not available with gvisor isolation here: the engine runs runsc with --network=none",
      );
    }
    // The guide's names for this version's image are that image, built here if need be, never pulled.
    const guideNames = guideImageNames(spec.runtime);
    const own = !spec.customImage || guideNames.includes(spec.customImage) || guideNames.includes(`${spec.customImage}:latest`);
    const base = own
      ? await this.images.runtimeImage(spec.runtime, onProgress)
      : await this.images.customImage(spec.customImage!, onProgress);
    const installed = spec.packages?.length ? await this.images.packagesImage(spec.runtime, base, spec.packages, onProgress) : base;
    const image = spec.networkEnabled ? await this.images.networkImage(installed, onProgress) : installed;
    this.watchOutOfMemory();
    const owner: Owner = { label: this.owner, started: ownerStartTime(), container: await this.containerOfOwner() };
    const options = containerOptions(spec, image, owner, { gvisor: ociRuntime });
    // Warm parts live in the runtime's own images (and those built on them), never in a user's.
    const warm = own ? spec.runtime.manifest.warm : undefined;
    if (this.runnerStart === "exec") return this.startBesideKeeper(spec, image, options, warm);
    try {
      return await this.startAsInit(spec, image, options, warm);
    } catch (error) {
      // An engine that cannot be reached will not exec either: trying would only bury the reason.
      if (this.runnerStart === "init" || isUnreachable(error)) throw error;
      const reason = (error as Error).message;
      this.log.warn(`the runner could not start as PID 1 in ${image} (${reason}); starting it with docker exec instead`);
      try {
        return await this.startBesideKeeper(spec, image, options, warm);
      } catch (fallbackError) {
        throw new Error(`${(fallbackError as Error).message} (and as PID 1: ${reason})`, { cause: fallbackError });
      }
    }
  }

  /** The usual way: the runner is the container's PID 1, spoken to over the container's attached stdin/stdout. */
  private async startAsInit(
    spec: SandboxSpec,
    image: string,
    options: Docker.ContainerCreateOptions,
    warm: WarmParts | undefined,
  ): Promise<Sandbox> {
    const container = await this.docker.createContainer(options);
    try {
      // Attach before start, so the runner's hello is not missed.
      const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as Duplex;
      const client = this.connect(stream, spec.sessionId);
      await container.start();
      await withTimeout(client.ready(), HELLO_TIMEOUT_MS, `the runner in ${image} did not start`);
      return this.track(container, image, client, stream, warm);
    } catch (error) {
      await container.remove({ force: true }).catch(() => undefined);
      throw error;
    }
  }

  /**
   * The fallback: a keeper is PID 1 and the runner is started with `docker exec`, speaking the same frames over
   * the exec's stream. One exec per session, not per run. The runner is then not PID 1: it ends a run's processes
   * with kill(-1) (which spares it and the keeper), collects orphans as a subreaper, and stops the keeper when
   * the host goes away. A program can end its own sandbox by killing them; it gains nothing else.
   */
  private async startBesideKeeper(
    spec: SandboxSpec,
    image: string,
    options: Docker.ContainerCreateOptions,
    warm: WarmParts | undefined,
  ): Promise<Sandbox> {
    const container = await this.docker.createContainer(keeperOptions(options));
    try {
      await container.start();
      const exec = await container.exec({
        Cmd: [RUNNER_PATH, ...((options.Cmd as string[] | undefined) ?? []), "--exec"],
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
      });
      const stream = (await exec.start({ hijack: true, stdin: true })) as Duplex;
      const client = this.connect(stream, spec.sessionId);
      await withTimeout(client.ready(), HELLO_TIMEOUT_MS, `the runner in ${image} did not start with docker exec`);
      return this.track(container, image, client, stream, warm);
    } catch (error) {
      await container.remove({ force: true }).catch(() => undefined);
      throw error;
    }
  }

  /** A runner client over a multiplexed engine stream: stdout carries frames, stderr the runner's own complaints. */
  private connect(stream: Duplex, sessionId: string): RunnerClient {
    const fromRunner = new PassThrough();
    const runnerLog = new PassThrough();
    this.docker.modem.demuxStream(stream, fromRunner, runnerLog);
    stream.on("end", () => fromRunner.end());
    stream.on("close", () => fromRunner.end());
    runnerLog.on("data", (chunk: Buffer) => this.log.warn(`[${sessionId}] runner: ${chunk.toString().trim()}`));
    return new RunnerClient(stream, fromRunner, sessionId);
  }

  private track(container: Docker.Container, image: string, client: RunnerClient, stream: Duplex, warm: WarmParts | undefined): Sandbox {
    const sandbox: DockerSandbox = new DockerSandbox(container, image, client, stream, warm, {
      wasOutOfMemory: () => this.outOfMemory.has(container.id),
      onEnded: () => {
        this.live.delete(sandbox);
        this.outOfMemory.delete(container.id);
        if (this.live.size === 0) this.stopWatching();
      },
    });
    this.live.add(sandbox);
    return sandbox;
  }

  /** The container this host runs in, if it is one of this engine's: hosts beside it judge its sandboxes by it. */
  private containerOfOwner(): Promise<string | undefined> {
    this.ownerContainer ??= (async () => {
      const id = ownContainerId();
      return id
        ? this.docker
            .getContainer(id)
            .inspect()
            .then(
              (info) => info.Id,
              () => undefined,
            )
        : undefined;
    })();
    return this.ownerContainer;
  }

  async removeLeftovers(): Promise<number> {
    const leftovers = await findLeftovers(this.docker, this.owner);
    await Promise.all(leftovers.map((info) => removeQuietly(this.docker.getContainer(info.Id))));
    if (leftovers.length) this.log.info(`removed ${leftovers.length} sandbox container(s) left by an earlier host`);
    return leftovers.length;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.live].map((sandbox) => sandbox.close()));
    this.stopWatching();
  }

  /** The name under which the engine knows gVisor's runtime, if it does. */
  private async gvisorRuntime(): Promise<string | undefined> {
    const info = await this.docker.info();
    const runtimes = (info.Runtimes ?? {}) as Record<string, { path?: string }>;
    return Object.keys(runtimes).find((name) => name === "runsc" || runtimes[name]?.path?.endsWith("runsc"));
  }

  private async gvisorWithoutNetwork(runtime: string): Promise<boolean> {
    return (await this.runtimeArgs(runtime)).includes("--network=none");
  }

  private async runtimeArgs(runtime: string): Promise<string[]> {
    const info = await this.docker.info();
    return ((info.Runtimes ?? {}) as Record<string, { runtimeArgs?: string[] }>)[runtime]?.runtimeArgs ?? [];
  }

  /** Follows the engine's `oom` events for this host's containers while it has any. */
  private watchOutOfMemory(): void {
    const filters = { event: ["oom"], label: [`${Labels.owner}=${this.owner}`] };
    this.events ??= this.docker.getEvents({ filters }).then(
      (stream) => {
        let pending = "";
        stream.on("data", (chunk: Buffer) => {
          pending += chunk.toString();
          const lines = pending.split("\n");
          pending = lines.pop() ?? "";
          for (const line of lines.filter(Boolean)) this.outOfMemory.add(JSON.parse(line).id as string);
        });
        stream.on("error", () => undefined);
        return stream as Readable;
      },
      (error: Error) => {
        this.log.warn(`cannot follow the engine's events: ${error.message}`);
        return undefined;
      },
    );
  }

  private stopWatching(): void {
    void this.events?.then((stream) => stream?.destroy());
    this.events = undefined;
  }
}

class DockerSandbox extends RunnerSandbox {
  readonly ended: Promise<SandboxEnd>;
  private closing: Promise<void> | undefined;
  private closedByHost = false;

  constructor(
    private readonly container: Docker.Container,
    readonly image: string,
    client: RunnerClient,
    private readonly stream: Duplex,
    warm: WarmParts | undefined,
    private readonly hooks: { wasOutOfMemory(): boolean; onEnded(): void },
  ) {
    super(client, warm);
    const streamEnded = new Promise<void>((resolve) => {
      stream.once("close", resolve);
      stream.once("end", resolve);
    });
    this.ended = streamEnded.then(() => this.endCause());
    // A container that died by itself (killed, out of memory) is removed like a closed one.
    void this.ended.then(() => this.close());
  }

  get id(): string {
    return this.container.id;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closedByHost = true;
      this.client.fail(new SandboxLostError("the session was closed"));
      await removeQuietly(this.container);
      this.stream.destroy();
      this.hooks.onEnded();
    })();
    return this.closing;
  }

  /** Why the container's stream ended: the engine knows whether it was killed for memory. */
  private async endCause(): Promise<SandboxEnd> {
    if (this.closedByHost) return { cause: "closed", detail: "the sandbox was closed" };
    const state = await this.container.inspect().then(
      (info) => info.State,
      () => undefined, // already removed (AutoRemove): the events say the rest
    );
    if (state?.OOMKilled || this.hooks.wasOutOfMemory()) {
      return { cause: "out-of-memory", detail: "the sandbox ran out of memory and was stopped" };
    }
    return { cause: "stopped", detail: "its sandbox stopped unexpectedly" };
  }
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
