import type DockerEngine from "dockerode";
import type { Logger } from "../log";
import type { Isolation } from "../../contract/protocol/session";
import { IsolationBackend, IsolationKind, IsolationUnavailableError } from "./backend";
import { DockerBackend } from "./docker/docker-backend";
import { ProcessBackend } from "./process/process-backend";
import type { EngineAddress } from "./docker/unreachable-engine";

/**
 * The isolation backends of this host, and the choice among them: a session asks for docker, gvisor or process,
 * or for auto: docker when an engine answers, process otherwise. There is no unsandboxed choice.
 */
/** How long a backend found available is taken to be so without asking again. */
export const CONFIRMED_FOR_MS = 10_000;

export class Isolations<Docker extends IsolationBackend = IsolationBackend> {
  /** When each backend was last found available. */
  private readonly confirmed = new Map<IsolationBackend, number>();

  constructor(
    readonly backends: { docker: Docker; gvisor: IsolationBackend; process: IsolationBackend },
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** The real backends: Docker (runc and gVisor) on this engine, and bubblewrap. */
  static forEngine(engine: DockerEngine, log: Logger, address?: EngineAddress): Isolations<DockerBackend> {
    return new Isolations(
      {
        docker: new DockerBackend(engine, log, { kind: "docker", address }),
        gvisor: new DockerBackend(engine, log, { kind: "gvisor", address }),
        process: new ProcessBackend(log),
      },
      log,
    );
  }

  get docker(): Docker {
    return this.backends.docker;
  }

  all(): IsolationBackend[] {
    return [this.backends.docker, this.backends.gvisor, this.backends.process];
  }

  /** The backend for a request, checked to be usable here; otherwise an error that says what is missing. */
  async choose(requested: Isolation): Promise<IsolationBackend> {
    if (requested === "auto") {
      const docker = await this.usable(this.backends.docker);
      if (docker.ok) return this.backends.docker;
      const process = await this.usable(this.backends.process);
      if (process.ok) {
        this.log.warn(`${docker.reason}; using process isolation (bubblewrap) instead`);
        return this.backends.process;
      }
      throw new IsolationUnavailableError(
        "docker",
        `no isolation is available: ${docker.reason}; and process isolation cannot be used either: ${process.reason}`,
      );
    }
    const backend = this.byKind(requested);
    const state = await this.usable(backend);
    if (!state.ok) throw new IsolationUnavailableError(requested, `${requested} isolation is not available: ${state.reason}`);
    return backend;
  }

  /**
   * Whether a backend can serve, asking it again only when it was last found available more than
   * CONFIRMED_FOR_MS ago: asking is an engine round trip (6 ms here), more than a ready sandbox takes to hand
   * out. A backend that went away meanwhile fails its sandbox's creation, with the engine's own reason.
   */
  private async usable(backend: IsolationBackend): Promise<{ ok: true } | { ok: false; reason: string }> {
    const confirmedAt = this.confirmed.get(backend);
    if (confirmedAt !== undefined && this.now() - confirmedAt < CONFIRMED_FOR_MS) return { ok: true };
    const state = await backend.available();
    if (state.ok) this.confirmed.set(backend, this.now());
    else this.confirmed.delete(backend);
    return state;
  }

  /** Each backend's availability, with the reason where it is not: what an editor tells its user. */
  async status(): Promise<Record<IsolationKind, { available: boolean; reason: string | null }>> {
    const entries = await Promise.all(
      (["docker", "gvisor", "process"] as const).map(async (kind) => {
        const state = await this.backends[kind].available();
        return [kind, { available: state.ok, reason: state.ok ? null : state.reason }] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<IsolationKind, { available: boolean; reason: string | null }>;
  }

  byKind(kind: IsolationKind): IsolationBackend {
    return this.backends[kind];
  }

  /** Removes what earlier hosts left; on the engine only when it answers (else its error would be said twice). */
  async removeLeftovers(engineAnswers = true): Promise<void> {
    // gVisor's containers are the Docker backend's too (same labels): one sweep covers both.
    const backends = engineAnswers ? [this.backends.docker, this.backends.process] : [this.backends.process];
    for (const backend of backends) {
      await backend.removeLeftovers().catch((error) => this.log.warn(`could not look for ${backend.kind} leftovers: ${error}`));
    }
  }

  async dispose(): Promise<void> {
    await Promise.all(this.all().map((backend) => backend.dispose()));
  }
}
