import type Docker from "dockerode";
import type { Logger } from "../log";
import type { Isolation } from "../protocol/session";
import { IsolationBackend, IsolationKind, IsolationUnavailableError } from "./backend";
import { DockerBackend } from "./docker/docker-backend";
import { ProcessBackend } from "./process/process-backend";

/**
 * The isolation backends of this host, and the choice among them: a session asks for docker, gvisor or process,
 * or for auto: docker when an engine answers, process otherwise. There is no unsandboxed choice.
 */
export class Isolations {
  readonly docker: DockerBackend;
  readonly gvisor: DockerBackend;
  readonly process: ProcessBackend;

  constructor(
    engine: Docker,
    private readonly log: Logger,
  ) {
    this.docker = new DockerBackend(engine, log, { kind: "docker" });
    this.gvisor = new DockerBackend(engine, log, { kind: "gvisor" });
    this.process = new ProcessBackend(log);
  }

  all(): IsolationBackend[] {
    return [this.docker, this.gvisor, this.process];
  }

  /** The backend for a request, checked to be usable here; otherwise an error that says what is missing. */
  async choose(requested: Isolation): Promise<IsolationBackend> {
    if (requested === "auto") {
      const docker = await this.docker.available();
      if (docker.ok) return this.docker;
      const process = await this.process.available();
      if (process.ok) {
        this.log.warn(`${docker.reason}; using process isolation (bubblewrap) instead`);
        return this.process;
      }
      throw new IsolationUnavailableError(
        "docker",
        `no isolation is available: ${docker.reason}; and process isolation cannot be used either: ${process.reason}`,
      );
    }
    const backend = this.byKind(requested);
    const state = await backend.available();
    if (!state.ok) throw new IsolationUnavailableError(requested, `${requested} isolation is not available: ${state.reason}`);
    return backend;
  }

  byKind(kind: IsolationKind): IsolationBackend {
    return kind === "docker" ? this.docker : kind === "gvisor" ? this.gvisor : this.process;
  }

  async removeLeftovers(): Promise<void> {
    // gVisor's containers are the Docker backend's too (same labels): one sweep covers both.
    for (const backend of [this.docker, this.process]) {
      await backend.removeLeftovers().catch((error) => this.log.warn(`could not look for ${backend.kind} leftovers: ${error}`));
    }
  }

  async dispose(): Promise<void> {
    await Promise.all(this.all().map((backend) => backend.dispose()));
  }
}
