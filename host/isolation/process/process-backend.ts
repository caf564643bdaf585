import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Writable } from "node:stream";
import type { Logger } from "../../log";
import type { Runtime, WarmParts } from "../../../contract/runtimes/manifest";
import { warmFolder, warmSetupRequired } from "../../runtimes/warm-folder";
import type { IsolationBackend, Sandbox, SandboxEnd, SandboxSpec } from "../backend";
import { invalidParams, RpcError } from "../../../contract/protocol/errors";
import { IsolationUnavailableError, SandboxLostError } from "../backend";
import { RunnerClient } from "../runner-client";
import { RunnerSandbox } from "../runner-sandbox";
import { BwrapPlan, bwrapArgs, GROUP_FD, PASSWD_FD, SANDBOX_GROUP, SANDBOX_PASSWD, SYSTEM_DIRS, systemArgs } from "./bwrap-args";
import { createSessionCgroup, removeEmptySessionCgroups, SessionCgroup } from "./cgroups";
import { runnerBinary } from "./runner-binary";
import { warmFolderCopy } from "./warm-copy";

const HELLO_TIMEOUT_MS = 15_000;
const PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** Outside uids of sandboxes when the host runs as root: one per live session, owning nothing on this machine. */
const SANDBOX_UID_BASE = 0x6f000000;

/**
 * Sessions in bubblewrap: new namespaces (network included, always: see networkRefused), this machine's /usr
 * read-only, private tmpfs /workspace and /tmp, cb-runner as PID 1. As root, each sandbox runs as its own unprivileged uid inside a
 * cgroup that holds its memory, processes and CPU like Docker's; without root, rlimits hold data size and
 * process count instead.
 */
export class ProcessBackend implements IsolationBackend {
  readonly kind = "process" as const;
  private readonly live = new Set<ProcessSandbox>();
  private readonly uids = new Set<number>();

  constructor(private readonly log: Logger) {}

  async available(): Promise<{ ok: true } | { ok: false; reason: string }> {
    const bwrap = findOnPath("bwrap");
    if (!bwrap) return { ok: false, reason: "bubblewrap is not installed (apt-get install bubblewrap)" };
    const probe = spawnSync(bwrap, ["--unshare-all", "--unshare-user", ...systemArgs(systemDirs()), "true"], {
      encoding: "utf8",
      timeout: 10_000,
    });
    if (probe.status !== 0) {
      return {
        ok: false,
        reason: `bubblewrap cannot create namespaces here (${(probe.stderr || probe.error?.message || "").trim()}); unprivileged user namespaces may be disabled`,
      };
    }
    return { ok: true };
  }

  /** The versions this machine's own toolchains are: those whose localToolchain check matches here. */
  versionsHere(versions: readonly Runtime[]): Runtime[] {
    return versions.filter((runtime) => toolchainIsHere(runtime));
  }

  async createSandbox(spec: SandboxSpec): Promise<Sandbox> {
    if (spec.customImage) {
      throw new IsolationUnavailableError(
        "process",
        "dockerImage needs docker or gvisor isolation: process isolation runs this machine's own toolchains",
      );
    }
    if (spec.networkEnabled) throw networkRefused();
    checkToolchain(spec.runtime);
    const warm = await processWarmParts(spec.runtime);
    const runner = await runnerBinary();
    const cgroup = await createSessionCgroup(spec.sessionId, spec.limits);
    const uid = this.takeUid();
    try {
      const plan: BwrapPlan = {
        runner,
        limits: spec.limits,
        env: { PATH, HOME: "/tmp", TMPDIR: "/tmp", LANG: "C.UTF-8", USER: "sandbox", ...spec.runtime.manifest.env },
        etc: etcEntries(),
        systemDirs: systemDirs(),
        oomFile: cgroup?.oomFile,
        rlimits: cgroup ? undefined : { dataBytes: spec.limits.memoryMb * 1024 * 1024, processes: spec.limits.pids + userProcessCount() },
        warmFolder: warm.folder,
      };
      const child = spawnSandbox(bwrapArgs(plan), cgroup, uid);
      const sandbox = new ProcessSandbox(child, spec.sessionId, cgroup, warm.parts, () => {
        this.live.delete(sandbox);
        if (uid !== undefined) this.uids.delete(uid);
      });
      try {
        await sandbox.ready();
      } catch (error) {
        await sandbox.close();
        throw error;
      }
      this.live.add(sandbox);
      return sandbox;
    } catch (error) {
      if (uid !== undefined) this.uids.delete(uid);
      await cgroup?.remove().catch(() => undefined);
      throw error;
    }
  }

  async removeLeftovers(): Promise<number> {
    // Sandboxes die with their host (--die-with-parent); only their emptied cgroups can be left.
    const removed = await removeEmptySessionCgroups();
    if (removed) this.log.info(`removed ${removed} empty sandbox cgroup(s) left by an earlier host`);
    return removed;
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.live].map((sandbox) => sandbox.close()));
  }

  private takeUid(): number | undefined {
    if (process.getuid?.() !== 0) return undefined;
    let uid = SANDBOX_UID_BASE;
    while (this.uids.has(uid)) uid++;
    this.uids.add(uid);
    return uid;
  }
}

/**
 * Starts bwrap: as root, it first joins the session's cgroups, then drops to the sandbox's own uid with no
 * capabilities and no way to gain privileges; otherwise it runs as this user.
 */
function spawnSandbox(args: string[], cgroup: SessionCgroup | undefined, uid: number | undefined): ChildProcess {
  const stdio: Array<"pipe"> = ["pipe", "pipe", "pipe", "pipe", "pipe"];
  let child: ChildProcess;
  if (uid === undefined) child = spawn(findOnPath("bwrap")!, args, { stdio });
  else {
    const join = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 111; shift; done; shift; exec "$@"';
    const drop = ["setpriv", `--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", "--no-new-privs", "--inh-caps=-all"];
    child = spawn("sh", ["-c", join, "sh", ...(cgroup?.procsFiles ?? []), "--", ...drop, findOnPath("bwrap")!, ...args], {
      stdio,
    });
  }
  (child.stdio[PASSWD_FD] as Writable).end(SANDBOX_PASSWD);
  (child.stdio[GROUP_FD] as Writable).end(SANDBOX_GROUP);
  return child;
}

class ProcessSandbox extends RunnerSandbox {
  readonly image = "this machine's /usr";
  readonly ended: Promise<SandboxEnd>;
  private readonly exited: Promise<void>;
  private closing: Promise<void> | undefined;
  private closedByHost = false;
  private stderr = "";

  constructor(
    private readonly child: ChildProcess,
    sessionId: string,
    private readonly cgroup: SessionCgroup | undefined,
    warm: WarmParts | undefined,
    private readonly onEnded: () => void,
  ) {
    super(new RunnerClient(child.stdin!, child.stdout!, sessionId), warm);
    child.stderr!.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4096);
    });
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    this.ended = this.exited.then(async () => {
      this.client.fail(new SandboxLostError(`the sandbox ${sessionId} stopped`));
      if (this.closedByHost) return { cause: "closed", detail: "the sandbox was closed" };
      if (this.cgroup && (await oomKills(this.cgroup.oomFile)) > 0) {
        return { cause: "out-of-memory", detail: "the sandbox ran out of memory and was stopped" };
      }
      return { cause: "stopped", detail: `its sandbox stopped unexpectedly${this.stderr ? `: ${this.stderr.trim()}` : ""}` };
    });
    void this.ended.then(() => this.close());
  }

  get id(): string {
    return `bwrap-${this.child.pid}`;
  }

  async ready(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the runner did not start within ${HELLO_TIMEOUT_MS / 1000} s`)), HELLO_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.client.ready(), timeout]);
    } catch (error) {
      await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, 200))]);
      throw new Error(`bubblewrap did not start the sandbox: ${this.stderr.trim() || (error as Error).message}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closedByHost ||= this.child.exitCode === null && this.child.signalCode === null;
      this.client.fail(new SandboxLostError("the session was closed"));
      this.child.kill("SIGKILL"); // bwrap's namespace ends with its PID 1, and every process in it
      await this.exited;
      await this.cgroup?.remove();
      this.onEnded();
    })();
    return this.closing;
  }
}

/**
 * The warm parts a process sandbox can run: this machine's toolchain with the language's warm folder bound read-only
 * where images have it. A folder whose setup.sh is required (a compiled launcher, a prebuilt library: see
 * warmSetupRequired) needs it run as root at image build, which this machine never had: such a language runs cold
 * under process isolation.
 */
async function processWarmParts(runtime: Runtime): Promise<{ parts?: WarmParts; folder?: string }> {
  const parts = runtime.manifest.warm;
  if (!parts) return {};
  const folder = warmFolder(runtime);
  if (!folder) return { parts };
  if (warmSetupRequired(folder)) return {};
  return { parts, folder: await warmFolderCopy(folder) };
}

/** The toolchain a runtime names must be on this machine: process isolation brings none of its own. */
function checkToolchain(runtime: Runtime): void {
  const programs = [runtime.manifest.run[0], runtime.manifest.compile?.[0]].filter(
    (program): program is string => !!program && !program.includes("{"),
  );
  for (const program of programs) {
    if (!findOnPath(program, PATH)) {
      throw new IsolationUnavailableError(
        "process",
        `${program} is not installed on this machine, and process isolation runs this machine's own toolchains: install it, or use docker isolation`,
      );
    }
  }
}

/** What each version-check command printed here (run once per host process: toolchains do not change under it). */
const toolchainOutputs = new Map<string, string | undefined>();

/** Whether this machine's toolchain, as the sandbox finds it on its PATH, is the runtime's version. */
function toolchainIsHere(runtime: Runtime): boolean {
  const check = runtime.manifest.localToolchain;
  if (!check) return true;
  const key = JSON.stringify(check.command);
  if (!toolchainOutputs.has(key)) {
    const program = findOnPath(check.command[0]!, PATH);
    const probe = program
      ? spawnSync(program, check.command.slice(1), { encoding: "utf8", timeout: 15_000, env: { PATH, HOME: "/tmp" } })
      : undefined;
    toolchainOutputs.set(key, probe && probe.status === 0 ? `${probe.stdout}${probe.stderr}` : undefined);
  }
  const output = toolchainOutputs.get(key);
  return output !== undefined && new RegExp(check.matches, "m").test(output);
}

function findOnPath(program: string, path = process.env.PATH ?? PATH): string | undefined {
  if (program.includes("/")) return isExecutable(program) ? program : undefined;
  return path
    .split(":")
    .map((dir) => join(dir, program))
    .find(isExecutable);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return lstatSync(file).isFile() || lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The /etc entries toolchains read: loader cache, alternatives, JVM and Mono config, certificates, time zone. */
function etcEntries(): string[] {
  const wanted = [
    "alternatives",
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "mono",
    "ssl",
    "ca-certificates",
    "ca-certificates.conf",
    ...readdirSync("/etc").filter((name) => /^java-\d+-openjdk$/.test(name)),
  ];
  return wanted.map((name) => join("/etc", name)).filter((path) => existsSync(path));
}

function systemDirs(): BwrapPlan["systemDirs"] {
  return SYSTEM_DIRS.flatMap((name): BwrapPlan["systemDirs"] => {
    try {
      const stat = lstatSync(`/${name}`);
      if (stat.isSymbolicLink()) return [{ name, kind: "link" }];
      return stat.isDirectory() ? [{ name, kind: "directory" }] : [];
    } catch {
      return [];
    }
  });
}

/** How many processes this user has now: RLIMIT_NPROC counts them all, so the sandbox's allowance comes on top. */
function userProcessCount(): number {
  const uid = process.getuid?.();
  let count = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (new RegExp(`^Uid:\\s+${uid}\\s`, "m").test(readFileSync(`/proc/${entry}/status`, "utf8"))) count++;
    } catch {
      // the process ended while we looked
    }
  }
  return count;
}

async function oomKills(file: string): Promise<number> {
  const text = await readFile(file, "utf8").catch(() => "");
  return Number(/^oom_kill (\d+)$/m.exec(text)?.[1] ?? 0);
}

/**
 * A process sandbox never has a network. Sharing this machine's would reach its loopback, where the host's own
 * API listens (and every other local service): a program could list sessions and read their files. A network of
 * its own needs a user-space stack (slirp4netns, pasta) this machine may not have; Docker gives one instead.
 */
function networkRefused(): RpcError {
  return invalidParams(
    "networkEnabled: process isolation (bubblewrap) runs without a network, since sharing this machine's would reach its loopback and the host's own API; use isolation docker for a session with network",
    { field: "networkEnabled", isolation: "process" },
  );
}
