import type Docker from "dockerode";
import { WORKSPACE_ROOT } from "../../protocol/workspace-path";
import type { SandboxSpec } from "../backend";
import { RUNNER_PATH } from "./images";

/** The unprivileged user every sandbox runs as. Files in /workspace belong to it. */
export const SANDBOX_USER = { uid: 1000, gid: 1000 };

export const Labels = {
  session: "codebeaker.session",
  /** The host process that started it (see owner.ts): leftovers are found by it. */
  owner: "codebeaker.owner",
  language: "codebeaker.language",
} as const;

const MiB = 1024 * 1024;

/**
 * How a session's container is created: safe by default. No network, memory = memory + swap, a CPU quota,
 * a process limit, no capabilities, no privilege gain, a non-root user, a read-only root filesystem with
 * size-bounded tmpfs for /workspace and /tmp, and no host path mounted (files travel over the API).
 */
export function containerOptions(spec: SandboxSpec, image: string, owner: string): Docker.ContainerCreateOptions {
  const { limits, runtime } = spec;
  const user = `${SANDBOX_USER.uid}:${SANDBOX_USER.gid}`;
  const env = { HOME: "/tmp", TMPDIR: "/tmp", LANG: "C.UTF-8", USER: "sandbox", ...runtime.manifest.env };
  return {
    name: `codebeaker-${spec.sessionId}`,
    Image: image,
    Entrypoint: [RUNNER_PATH],
    Cmd: ["--root", WORKSPACE_ROOT],
    User: user,
    WorkingDir: WORKSPACE_ROOT,
    Hostname: "sandbox",
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    Labels: {
      [Labels.session]: spec.sessionId,
      [Labels.owner]: owner,
      [Labels.language]: runtime.manifest.language,
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
      AutoRemove: true,
      NetworkMode: spec.networkEnabled ? "bridge" : "none",
      Memory: limits.memoryMb * MiB,
      MemorySwap: limits.memoryMb * MiB,
      NanoCpus: Math.round(limits.cpus * 1e9),
      CpuShares: limits.cpuShares,
      PidsLimit: limits.pids,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      ReadonlyRootfs: true,
      IpcMode: "private",
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
