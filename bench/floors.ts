/**
 * The floors: what the same work costs without CodeBeaker, measured straight against the engine with
 * dockerode (and, for the last one, without any container at all).
 */
import Docker from "dockerode";
import { spawn } from "node:child_process";
import { PassThrough, type Duplex } from "node:stream";
import { hostname } from "node:os";
import { containerOptions, SANDBOX_USER } from "../host/isolation/docker/container-spec";
import { resolveLimits } from "../contract/limits";
import type { Runtime } from "../contract/runtimes/manifest";
import type { Probe } from "./stats";

/** Every container the bench creates carries this label, with the bench's pid as value. */
export const BENCH_LABEL = "codebeaker.bench";
const USER = `${SANDBOX_USER.uid}:${SANDBOX_USER.gid}`;

/** Containers created here, removed by `removeAll` whatever happens. */
export class ContainerTracker {
  private readonly ids = new Set<string>();
  readonly label = { [BENCH_LABEL]: String(process.pid) };

  constructor(readonly docker: Docker) {}

  async create(options: Docker.ContainerCreateOptions): Promise<Docker.Container> {
    const container = await this.docker.createContainer({
      ...options,
      Labels: { ...options.Labels, ...this.label },
    });
    this.ids.add(container.id);
    return container;
  }

  async remove(container: Docker.Container): Promise<void> {
    await removeQuietly(container);
    this.ids.delete(container.id);
  }

  /** Removes the tracked containers and any other one labelled with this bench's pid. Returns how many. */
  async removeAll(): Promise<number> {
    const labelled = await this.docker.listContainers({ all: true, filters: { label: [`${BENCH_LABEL}=${process.pid}`] } }).catch(() => []);
    const ids = new Set([...this.ids, ...labelled.map((info) => info.Id)]);
    await Promise.all([...ids].map((id) => removeQuietly(this.docker.getContainer(id))));
    this.ids.clear();
    return ids.size;
  }
}

async function removeQuietly(container: Docker.Container): Promise<void> {
  try {
    await container.remove({ force: true });
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== 404 && status !== 409) throw error; // gone, or being removed by AutoRemove
  }
}

/**
 * The basic options every floor container shares with a session's: the image, no network, the same user;
 * `runtime` names the engine's OCI runtime (runsc for the gVisor floors), runc when absent.
 */
export function basicOptions(image: string, cmd: string[], runtime?: string): Docker.ContainerCreateOptions {
  return {
    Image: image,
    Cmd: cmd,
    User: USER,
    NetworkDisabled: true,
    HostConfig: { NetworkMode: "none", ...(runtime ? { Runtime: runtime } : {}) },
  };
}

let sessionCount = 0;

/**
 * The options the host itself creates a session's container with (container-spec.ts: runner as PID 1,
 * limits, read-only root, tmpfs mounts, dropped capabilities), with the runtime's default limits.
 * Only the host's labels are left out: hosts and their tests look for sandboxes by them.
 */
export function sessionOptions(image: string, runtime: Runtime): Docker.ContainerCreateOptions {
  const sessionId = `bench-${process.pid}-${++sessionCount}`;
  const limits = resolveLimits({ runtime: runtime.manifest.limits });
  const spec = { sessionId, runtime, limits, networkEnabled: false };
  return { ...containerOptions(spec, image, `${hostname()}/${process.pid}`), Labels: {} };
}

/** A probe whose container (or session) lives across its runs, and is removed by `close`. */
export interface ResidentProbe extends Probe {
  close(): Promise<void>;
}

/** a. create + start of a container (timed), removed afterwards (not timed). */
export function createStartProbe(name: string, tracker: ContainerTracker, options: () => Docker.ContainerCreateOptions): Probe {
  let last: Docker.Container | undefined;
  return {
    name,
    once: async () => {
      last = await tracker.create(options());
      await last.start();
    },
    after: async () => {
      if (last) await tracker.remove(last);
      last = undefined;
    },
  };
}

/** b. `docker exec` of `argv` in a running container: exec create, start (hijacked), stream end, inspect. */
export async function dockerExecProbe(
  name: string,
  tracker: ContainerTracker,
  image: string,
  argv: string[],
  runtime?: string,
): Promise<ResidentProbe> {
  const container = await tracker.create(basicOptions(image, ["sleep", "infinity"], runtime));
  await container.start();
  return {
    name,
    once: async () => {
      const exec = await container.exec({ Cmd: argv, User: USER, AttachStdout: true, AttachStderr: true });
      const stream = await exec.start({ hijack: true, stdin: false });
      await ended(stream);
      const info = await exec.inspect();
      if (info.Running || info.ExitCode !== 0) {
        throw new Error(`docker exec ${argv.join(" ")}: ${JSON.stringify({ running: info.Running, exitCode: info.ExitCode })}`);
      }
    },
    close: () => tracker.remove(container),
  };
}

/**
 * c. The interpreter started inside the container by a resident shell, as the runner does (fork + exec):
 * write a line on the attached stdin, wait for "done" on stdout.
 */
export async function residentProbe(
  name: string,
  tracker: ContainerTracker,
  image: string,
  argv: string[],
  runtime?: string,
): Promise<ResidentProbe> {
  const command = argv.map(shellQuote).join(" ");
  const loop = `while read l; do ${command} </dev/null >/dev/null || echo "failed $?"; echo done; done`;
  const container = await tracker.create({
    ...basicOptions(image, ["sh", "-c", loop], runtime),
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: true,
    StdinOnce: false,
    Tty: false,
  });
  const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as Duplex;
  const stdout = new PassThrough();
  tracker.docker.modem.demuxStream(stream, stdout, new PassThrough().resume());
  let text = "";
  let waiter: { resolve(): void; reject(error: Error): void } | undefined;
  stdout.on("data", (chunk: Buffer) => {
    text += chunk.toString();
    if (text.includes("done\n")) waiter?.resolve();
  });
  stream.once("close", () => waiter?.reject(new Error(`the resident shell of ${name} went away`)));
  await container.start();
  return {
    name,
    once: async () => {
      const done = new Promise<void>((resolve, reject) => (waiter = { resolve, reject }));
      stream.write("go\n");
      await done;
      const reply = text;
      text = "";
      if (reply.includes("failed")) throw new Error(`${argv.join(" ")} in the resident shell: ${reply.trim()}`);
    },
    close: async () => {
      stream.destroy();
      await tracker.remove(container);
    },
  };
}

/** d. The bare interpreter on this machine: spawn, wait for exit. */
export function hostProbe(name: string, argv: string[]): Probe {
  return { name, once: () => spawnOnce(argv) };
}

export function spawnOnce(argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", (code, signal) => (code === 0 ? resolve() : reject(new Error(`${argv.join(" ")} exited with ${code ?? signal}`))));
  });
}

function ended(stream: Duplex): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", reject);
    stream.resume();
  });
}

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_/.=-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
