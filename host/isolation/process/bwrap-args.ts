import type { Limits } from "../../limits";
import { WORKSPACE_ROOT } from "../../protocol/workspace-path";
import { WARM_PATH } from "../../runtimes/warm-folder";
import { devShmMb } from "../dev-shm";

/** Where things are inside a process sandbox. */
export const SANDBOX_RUNNER = "/run/codebeaker/cb-runner";
export const SANDBOX_OOM_FILE = "/run/codebeaker/oom";
/** File descriptors the host feeds /etc/passwd and /etc/group through (bwrap --ro-bind-data). */
export const PASSWD_FD = 3;
export const GROUP_FD = 4;

export interface BwrapPlan {
  /** The runner binary on this machine. */
  runner: string;
  limits: Limits;
  env: Record<string, string>;
  /** This machine's /etc entries the toolchains need (ld.so cache, alternatives, JVM and Mono config), read-only. */
  etc: string[];
  /** How this machine's /bin, /lib, … are laid out: links into /usr (merged /usr) or directories of their own. */
  systemDirs: Array<{ name: string; kind: "link" | "directory" }>;
  /** The session cgroup's OOM counter, when a cgroup limits the sandbox. */
  oomFile?: string;
  /** Limits for every program when no cgroup is there to hold them. */
  rlimits?: { dataBytes: number; processes: number };
  /** The language's warm folder (runtimes/<language>/warm/), read-only at WARM_PATH as in its images. */
  warmFolder?: string;
}

const MiB = 1024 * 1024;
export const SYSTEM_DIRS = ["bin", "sbin", "lib", "lib64", "lib32", "libx32"];

/**
 * The bubblewrap command line of a process sandbox: every namespace new (network too: a process sandbox has none), this
 * machine's /usr read-only, a private tmpfs /workspace and /tmp of bounded size, no capabilities, no nested user
 * namespaces, a read-only /dev, and cb-runner as PID 1 so a timeout can end the whole tree. The sandbox dies with its host.
 */
export function bwrapArgs(plan: BwrapPlan): string[] {
  const args = ["--unshare-all", "--unshare-user"];
  args.push("--disable-userns", "--die-with-parent", "--new-session", "--as-pid-1", "--cap-drop", "ALL");
  args.push("--uid", "1000", "--gid", "1000", "--hostname", "sandbox");
  args.push(...systemArgs(plan.systemDirs));
  for (const entry of plan.etc) args.push("--ro-bind", entry, entry);
  args.push("--ro-bind-data", String(PASSWD_FD), "/etc/passwd", "--ro-bind-data", String(GROUP_FD), "/etc/group");
  // /dev is bwrap's own tmpfs of device nodes: read-only, but for a bounded /dev/shm of the sandbox's own.
  args.push("--proc", "/proc", "--dev", "/dev");
  args.push("--size", String(devShmMb(plan.limits) * MiB), "--perms", "1777", "--tmpfs", "/dev/shm", "--remount-ro", "/dev");
  args.push("--size", String(plan.limits.tmpMb * MiB), "--perms", "1777", "--tmpfs", "/tmp");
  args.push("--size", String(plan.limits.workspaceMb * MiB), "--perms", "0755", "--tmpfs", WORKSPACE_ROOT);
  args.push("--ro-bind", plan.runner, SANDBOX_RUNNER);
  if (plan.warmFolder) args.push("--ro-bind", plan.warmFolder, WARM_PATH);
  if (plan.oomFile) args.push("--ro-bind", plan.oomFile, SANDBOX_OOM_FILE);
  // bwrap builds the sandbox's root on a tmpfs of its own; once everything is mounted, it becomes read-only.
  args.push("--remount-ro", "/");
  args.push("--chdir", WORKSPACE_ROOT, "--clearenv");
  for (const [key, value] of Object.entries(plan.env)) args.push("--setenv", key, value);
  // No single file may outgrow the larger of /workspace and /tmp (SIGXFSZ past it); a mebibyte of room, so that
  // filling either ends with the clearer "No space left on device" first.
  const fileBytes = (Math.max(plan.limits.workspaceMb, plan.limits.tmpMb) + 1) * MiB;
  args.push("--", SANDBOX_RUNNER, "--root", WORKSPACE_ROOT, "--rlimit-fsize", String(fileBytes));
  if (plan.oomFile) args.push("--oom-file", SANDBOX_OOM_FILE);
  if (plan.rlimits) {
    args.push("--rlimit-data", String(plan.rlimits.dataBytes), "--rlimit-nproc", String(plan.rlimits.processes));
  }
  return args;
}

/** The sandbox's own /etc/passwd and /etc/group: root and the sandbox user, nothing of this machine's. */
export const SANDBOX_PASSWD = "root:x:0:0:root:/root:/usr/sbin/nologin\nsandbox:x:1000:1000:sandbox:/tmp:/bin/sh\n";
export const SANDBOX_GROUP = "root:x:0:\nsandbox:x:1000:\n";

/** This machine's /usr, read-only, with /bin, /lib, … as they are here (links into /usr, or directories). */
export function systemArgs(systemDirs: BwrapPlan["systemDirs"]): string[] {
  return [
    "--ro-bind",
    "/usr",
    "/usr",
    ...systemDirs.flatMap(({ name, kind }) =>
      kind === "directory" ? ["--ro-bind", `/${name}`, `/${name}`] : ["--symlink", `usr/${name}`, `/${name}`],
    ),
  ];
}
