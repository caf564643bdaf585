import type Docker from "dockerode";
import { WORKSPACE_ROOT } from "../../../contract/protocol/workspace-path";
import type { SandboxSpec } from "../backend";
import { devShmMb } from "../dev-shm";
import { RUNNER_PATH } from "./images";

/** The unprivileged user every sandbox runs as. Files in /workspace belong to it. */
export const SANDBOX_USER = { uid: 1000, gid: 1000 };

export const Labels = {
  session: "codebeaker.session",
  /** The host process that started it (see owner.ts): leftovers are found by it. */
  owner: "codebeaker.owner",
  /** When the owner process started (owner.ts): a pid reused since is not the owner. */
  ownerStarted: "codebeaker.owner-started",
  /** The container the owner runs in, when it runs in one on this same engine (a host in a compose service). */
  ownerContainer: "codebeaker.owner-container",
  language: "codebeaker.language",
} as const;

const MiB = 1024 * 1024;

/**
 * Under gVisor the host's pids limit counts gVisor's own threads, not the sandbox's processes: on its ptrace
 * platform about eight per live process (measured: 60 sleeping processes, 502 host threads), more while processes
 * churn, and gVisor stops the whole sandbox when it cannot get one. So the host limit only guards the machine,
 * with ample room (a fork bomb held at 64 processes survived with 2048, not with 896), and the sandbox's process
 * count is held by RLIMIT_NPROC, which gVisor enforces inside ("Cannot fork").
 */
export function gvisorHostPidsLimit(pids: number): number {
  return pids * 32 + 512;
}

/** Who starts a sandbox (see owner.ts): its label, and the container it runs in when that is on this engine. */
export interface Owner {
  label: string;
  started?: string;
  container?: string;
}

export interface ContainerRuntime {
  /** The engine's name for gVisor's runtime (runsc), or undefined for runc. */
  gvisor?: string;
}

/**
 * How a session's container is created: safe by default. No network, memory = memory + swap, a CPU quota,
 * a process limit, no capabilities, no privilege gain, a non-root user, a read-only root filesystem with
 * size-bounded tmpfs for /workspace, /tmp and /dev/shm, no log of the attached streams, and no host path mounted
 * (files travel over the API).
 */
export function containerOptions(
  spec: SandboxSpec,
  image: string,
  owner: string | Owner,
  runtime: ContainerRuntime = {},
): Docker.ContainerCreateOptions {
  const { limits } = spec;
  const { label: ownerLabel, started, container } = typeof owner === "string" ? ({ label: owner } as Owner) : owner;
  const user = `${SANDBOX_USER.uid}:${SANDBOX_USER.gid}`;
  const env = { HOME: "/tmp", TMPDIR: "/tmp", LANG: "C.UTF-8", USER: "sandbox", ...spec.runtime.manifest.env };
  return {
    name: `codebeaker-${spec.sessionId}`,
    Image: image,
    Entrypoint: [RUNNER_PATH],
    Cmd: ["--root", WORKSPACE_ROOT, ...(runtime.gvisor ? ["--rlimit-nproc", String(limits.pids)] : [])],
    User: user,
    WorkingDir: WORKSPACE_ROOT,
    Hostname: "sandbox",
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    Labels: {
      [Labels.session]: spec.sessionId,
      [Labels.owner]: ownerLabel,
      ...(started ? { [Labels.ownerStarted]: started } : {}),
      ...(container ? { [Labels.ownerContainer]: container } : {}),
      [Labels.language]: spec.runtime.manifest.language,
    },
    // The runner speaks over the attached stdin/stdout. StdinOnce: when the host goes away, the runner reads
    // end-of-file, ends, and AutoRemove takes the container with it.
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: true,
    StdinOnce: true,
    Tty: false,
    NetworkDisabled: !spec.networkEnabled,
    StopTimeout: 1,
    HostConfig: {
      ...(runtime.gvisor ? { Runtime: runtime.gvisor } : {}),
      AutoRemove: true,
      NetworkMode: spec.networkEnabled ? "bridge" : "none",
      Memory: limits.memoryMb * MiB,
      MemorySwap: limits.memoryMb * MiB,
      NanoCpus: Math.round(limits.cpus * 1e9),
      CpuShares: limits.cpuShares,
      PidsLimit: runtime.gvisor ? gvisorHostPidsLimit(limits.pids) : limits.pids,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      ReadonlyRootfs: true,
      IpcMode: "private",
      ShmSize: devShmMb(limits) * MiB,
      // The runner's frames (every output, every file's content) pass through the attach stream: with a log
      // driver, the engine would keep a copy of all of it on this machine's disk.
      LogConfig: { Type: "none", Config: {} },
      Tmpfs: {
        "/tmp": `rw,exec,nosuid,nodev,size=${limits.tmpMb}m,mode=1777`,
        [WORKSPACE_ROOT]: `rw,exec,nosuid,nodev,size=${limits.workspaceMb}m,uid=${SANDBOX_USER.uid},gid=${SANDBOX_USER.gid},mode=0755`,
      },
      Ulimits: [
        { Name: "core", Soft: 0, Hard: 0 },
        { Name: "nofile", Soft: 1024, Hard: 1024 },
      ],
    },
  };
}

/**
 * The fallback's container (see DockerBackend): the same sandbox, with the runner as a keeper for PID 1 and
 * nothing attached; the runner proper joins it with `docker exec`. Its own name, so that it never waits for the
 * failed container's name to be free.
 */
export function keeperOptions(options: Docker.ContainerCreateOptions): Docker.ContainerCreateOptions {
  return {
    ...options,
    name: options.name ? `${options.name}-exec` : undefined,
    Cmd: ["--keeper"],
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    OpenStdin: false,
    StdinOnce: false,
  };
}
