import type Docker from "dockerode";
import { spawn, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { DockerBackend } from "../../host/isolation/docker/docker-backend";
import { ABANDONED_AFTER_MS, findLeftovers } from "../../host/isolation/docker/leftovers";
import { judgeOwner, ownContainerId, ownerLabel, ownerStartTime } from "../../host/isolation/docker/owner";
import { containerOptions, gvisorHostPidsLimit } from "../../host/isolation/docker/container-spec";
import { bwrapArgs, BwrapPlan, SANDBOX_OOM_FILE, SANDBOX_RUNNER } from "../../host/isolation/process/bwrap-args";
import type { IsolationBackend } from "../../host/isolation/backend";
import { CONFIRMED_FOR_MS, Isolations } from "../../host/isolation/isolations";
import { resolveLimits } from "../../contract/limits";
import { expandCommand, permissionFlags } from "../../host/runtimes/command-line";
import { RuntimeRegistry } from "../../contract/runtimes/registry";

const registry = RuntimeRegistry.builtIn();
const python = registry.find("python")!;
const deno = registry.find("deno")!;

function plan(overrides: Partial<BwrapPlan> = {}): BwrapPlan {
  return {
    runner: "/var/cache/codebeaker/runner/abc/cb-runner",
    limits: resolveLimits({ request: { memoryMb: 256 } }),
    env: { PATH: "/usr/bin", HOME: "/tmp" },
    etc: ["/etc/alternatives", "/etc/ld.so.cache"],
    systemDirs: [
      { name: "bin", kind: "link" },
      { name: "lib", kind: "directory" },
    ],
    ...overrides,
  };
}

/** The value after a flag, for flags that take one. */
const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];
const pairs = (args: string[], flag: string) => args.flatMap((arg, i) => (arg === flag ? [[args[i + 1], args[i + 2]]] : []));

describe("bubblewrap command line", () => {
  it("makes every namespace new, network always included, with no way to nest user namespaces or gain capabilities", () => {
    const args = bwrapArgs(plan());
    expect(args).toEqual(expect.arrayContaining(["--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent"]));
    expect(args).toEqual(expect.arrayContaining(["--new-session", "--as-pid-1"]));
    expect(after(args, "--cap-drop")).toBe("ALL");
    expect(args).not.toContain("--share-net");
  });

  it("shows this machine's /usr and the chosen /etc entries read-only, and nothing else of it", () => {
    const args = bwrapArgs(plan());
    const readOnly = pairs(args, "--ro-bind");
    expect(readOnly).toEqual(
      expect.arrayContaining([
        ["/usr", "/usr"],
        ["/lib", "/lib"],
        ["/etc/alternatives", "/etc/alternatives"],
        [plan().runner, SANDBOX_RUNNER],
      ]),
    );
    expect(pairs(args, "--bind")).toEqual([]); // nothing of this machine is writable
    expect(pairs(args, "--symlink")).toEqual([["usr/bin", "/bin"]]);
    expect(args.slice(args.lastIndexOf("--remount-ro"), args.lastIndexOf("--remount-ro") + 2)).toEqual(["--remount-ro", "/"]);
    expect(args.lastIndexOf("--remount-ro")).toBeGreaterThan(args.lastIndexOf("--tmpfs"));
  });

  it("makes /dev read-only but for a /dev/shm of the sandbox's own, bounded like /tmp", () => {
    const args = bwrapArgs(plan({ limits: resolveLimits({ request: { memoryMb: 128 } }) }));
    const shm = args.indexOf("/dev/shm");
    expect(args.slice(shm - 5, shm + 1)).toEqual(["--size", String(32 * 1024 * 1024), "--perms", "1777", "--tmpfs", "/dev/shm"]);
    expect(args.slice(shm + 1, shm + 3)).toEqual(["--remount-ro", "/dev"]);
    expect(args.indexOf("--dev")).toBeLessThan(shm);
  });

  it("gives /dev/shm, /tmp and /workspace private tmpfs of the limits' sizes", () => {
    const args = bwrapArgs(plan());
    const sized = args.flatMap((arg, i) => (arg === "--tmpfs" ? [[args[i + 1], args[i - 3]]] : []));
    expect(sized).toEqual([
      ["/dev/shm", String(64 * 1024 * 1024)],
      ["/tmp", String(64 * 1024 * 1024)],
      ["/workspace", String(64 * 1024 * 1024)],
    ]);
  });

  it("starts cb-runner with a file-size limit, the cgroup's OOM counter when there is one, rlimits when not", () => {
    const withCgroup = bwrapArgs(plan({ oomFile: "/sys/fs/cgroup/memory/codebeaker/s/memory.oom_control" }));
    const command = withCgroup.slice(withCgroup.indexOf("--") + 1);
    const fileLimit = ["--rlimit-fsize", String(65 * 1024 * 1024)];
    expect(command).toEqual([SANDBOX_RUNNER, "--root", "/workspace", ...fileLimit, "--oom-file", SANDBOX_OOM_FILE]);
    const withoutCgroup = bwrapArgs(plan({ rlimits: { dataBytes: 1000, processes: 70 } }));
    expect(withoutCgroup.slice(withoutCgroup.indexOf("--") + 1)).toEqual([
      SANDBOX_RUNNER,
      "--root",
      "/workspace",
      ...fileLimit,
      "--rlimit-data",
      "1000",
      "--rlimit-nproc",
      "70",
    ]);
  });

  it("clears the environment and sets only what the plan gives", () => {
    const args = bwrapArgs(plan());
    expect(args).toContain("--clearenv");
    expect(pairs(args, "--setenv")).toEqual([
      ["PATH", "/usr/bin"],
      ["HOME", "/tmp"],
    ]);
  });
});

describe("gVisor containers", () => {
  const spec = { sessionId: "s1", runtime: python, limits: resolveLimits({ request: { pids: 64 } }), networkEnabled: false };

  it("run with the engine's gVisor runtime, holding processes by RLIMIT_NPROC inside", () => {
    const options = containerOptions(spec, "image", "owner", { gvisor: "runsc" });
    expect(options.HostConfig?.Runtime).toBe("runsc");
    expect(options.Cmd).toEqual(["--root", "/workspace", "--rlimit-nproc", "64"]);
    expect(options.HostConfig?.PidsLimit).toBe(gvisorHostPidsLimit(64));
    expect(gvisorHostPidsLimit(64)).toBeGreaterThanOrEqual(2048); // measured: 896 was not enough for a fork bomb
  });

  it("and runc containers keep the plain pids limit and no Runtime", () => {
    const options = containerOptions(spec, "image", "owner");
    expect(options.HostConfig?.Runtime).toBeUndefined();
    expect(options.HostConfig?.PidsLimit).toBe(64);
    expect(options.Cmd).toEqual(["--root", "/workspace"]);
  });
});

describe("gVisor's availability", () => {
  const engine = (runtimes: Record<string, object>) =>
    ({ version: async () => ({ Version: "20.10" }), info: async () => ({ Runtimes: runtimes }) }) as unknown as Docker;
  const silent = { debug() {}, info() {}, warn() {}, error() {} };

  it("comes from the engine's runtimes, under any name whose path is runsc", async () => {
    expect(await new DockerBackend(engine({ runc: {}, runsc: {} }), silent, { kind: "gvisor" }).available()).toEqual({ ok: true });
    const renamed = engine({ runc: {}, gvisor: { path: "/opt/bin/runsc" } });
    expect(await new DockerBackend(renamed, silent, { kind: "gvisor" }).available()).toEqual({ ok: true });
  });

  it("says how to install it when the engine has no such runtime", async () => {
    const missing = await new DockerBackend(engine({ runc: {} }), silent, { kind: "gvisor" }).available();
    expect(missing).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^gVisor is not installed in this Docker engine: install runsc/),
    });
    expect(await new DockerBackend(engine({ runc: {} }), silent, { kind: "docker" }).available()).toEqual({ ok: true, version: "20.10" });
  });
});

describe("Deno permissions", () => {
  it("map to Deno's flags: all, a list, or nothing", () => {
    const flags = deno.manifest.permissions;
    expect(permissionFlags(flags, null)).toEqual([]);
    expect(permissionFlags(flags, { allowRead: ["/workspace"], allowWrite: true, allowNet: false })).toEqual([
      "--allow-read=/workspace",
      "--allow-write",
    ]);
    expect(permissionFlags(flags, { allowNet: ["a.com", "b.com:443"], allowEnv: [] })).toEqual(["--allow-net=a.com,b.com:443"]);
    expect(permissionFlags(python.manifest.permissions, { allowNet: true })).toEqual([]);
  });

  it("take the place of {permissions} in the run command, before the file", () => {
    const source = { path: "/workspace/main.ts" };
    expect(expandCommand(deno.manifest.run, source, { permissions: ["--allow-read=/workspace", "--allow-env"] })).toEqual([
      "deno",
      "run",
      "--no-prompt",
      "--allow-read=/workspace",
      "--allow-env",
      "/workspace/main.ts",
    ]);
    expect(expandCommand(deno.manifest.run, source)).toEqual(["deno", "run", "--no-prompt", "/workspace/main.ts"]);
  });
});

describe("choosing the isolation", () => {
  const backend = (kind: "docker" | "gvisor" | "process", ok: boolean): IsolationBackend => ({
    kind,
    available: async () => (ok ? { ok: true } : { ok: false, reason: `${kind} is missing` }),
    createSandbox: async () => {
      throw new Error("not in unit tests");
    },
    removeLeftovers: async () => 0,
    dispose: async () => undefined,
  });

  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const chooser = async (docker: boolean, process: boolean) =>
    new Isolations({ docker: backend("docker", docker), gvisor: backend("gvisor", false), process: backend("process", process) }, silent);

  it("auto picks docker when an engine answers, else process, else says why neither", async () => {
    expect((await (await chooser(true, true)).choose("auto")).kind).toBe("docker");
    expect((await (await chooser(false, true)).choose("auto")).kind).toBe("process");
    await expect((await chooser(false, false)).choose("auto")).rejects.toThrow(
      "no isolation is available: docker is missing; and process isolation cannot be used either: process is missing",
    );
  });

  it("asks a backend found available again only after a while, and one found missing every time", async () => {
    let clock = 0;
    const asked = { docker: 0, process: 0 };
    const counting = (kind: "docker" | "process", ok: () => boolean): IsolationBackend => ({
      ...backend(kind, true),
      available: async () => (asked[kind]++, ok() ? { ok: true } : { ok: false, reason: `${kind} is missing` }),
    });
    let dockerUp = true;
    const isolations = new Isolations(
      { docker: counting("docker", () => dockerUp), gvisor: backend("gvisor", false), process: counting("process", () => false) },
      silent,
      () => clock,
    );
    await isolations.choose("docker");
    await isolations.choose("auto");
    expect(asked.docker).toBe(1);
    clock += CONFIRMED_FOR_MS;
    dockerUp = false;
    await expect(isolations.choose("docker")).rejects.toThrow("docker is missing");
    await expect(isolations.choose("process")).rejects.toThrow("process is missing");
    await expect(isolations.choose("process")).rejects.toThrow("process is missing");
    expect(asked).toEqual({ docker: 2, process: 2 });
  });

  it("an explicit choice is that backend or a clear refusal, never another one", async () => {
    expect((await (await chooser(false, true)).choose("process")).kind).toBe("process");
    await expect((await chooser(true, true)).choose("gvisor")).rejects.toThrow("gvisor isolation is not available: gvisor is missing");
    await expect((await chooser(false, true)).choose("docker")).rejects.toThrow("docker isolation is not available: docker is missing");
  });
});

describe("who owns a sandbox", () => {
  const deadPid = spawnSync("true").pid!;

  it("is alive while its process runs, and gone once its pid is free or taken by another process", () => {
    expect(judgeOwner(ownerLabel(), ownerStartTime())).toBe("alive");
    expect(judgeOwner(ownerLabel(deadPid))).toBe("gone");
    expect(judgeOwner(ownerLabel(), "1")).toBe("gone"); // this pid, started at another time: reused
    expect(judgeOwner(ownerLabel())).toBe("alive"); // an older host's label: the pid alone
  });

  it("cannot be judged from another machine or PID namespace", () => {
    const dead = ownerLabel(deadPid);
    expect(judgeOwner(dead.replace(/^[^/]+/, "another-machine"))).toBe("unknown");
    expect(judgeOwner(dead.replace(/\/\d+\//, "/1/"))).toBe("unknown");
    expect(judgeOwner(undefined)).toBe("unknown");
  });

  it("knows the container it runs in from the hostname file Docker mounts", () => {
    const id = "3f".repeat(32);
    const line = `812 790 253:1 /var/lib/docker/containers/${id}/hostname /etc/hostname rw,relatime - ext4 /dev/vda1 rw\n`;
    expect(ownContainerId(line)).toBe(id);
    expect(ownContainerId("25 1 0:22 / /proc rw - proc proc rw\n")).toBeUndefined();
  });
});

describe("leftovers", () => {
  const now = Date.parse("2026-01-01T12:00:00Z");
  const minutesAgo = (minutes: number) => Math.floor((now - minutes * 60_000) / 1000);
  const elsewhere = "another-machine/4026531836/77";

  function engine(containers: Array<Partial<Docker.ContainerInfo> & { Id: string }>, inspected: Record<string, object> = {}) {
    return {
      listContainers: async () => containers.map((info) => ({ State: "running", Created: minutesAgo(0), Labels: {}, ...info })),
      getContainer: (id: string) => ({
        inspect: async () => {
          if (!inspected[id]) throw Object.assign(new Error("no such container"), { statusCode: 404 });
          return inspected[id];
        },
      }),
    } as unknown as Docker;
  }
  const ids = async (docker: Docker, self = ownerLabel()) => (await findLeftovers(docker, self, now)).map((info) => info.Id);

  it("are never a live host's sandboxes, not even one it created and has not started yet", async () => {
    const live = spawn("sleep", ["30"]);
    try {
      const docker = engine([
        { Id: "created-by-live", State: "created", Labels: { "codebeaker.owner": ownerLabel(live.pid) } },
        { Id: "mine", State: "created", Labels: { "codebeaker.owner": ownerLabel() } },
        { Id: "pid-reused", State: "running", Labels: { "codebeaker.owner": ownerLabel(live.pid), "codebeaker.owner-started": "1" } },
        { Id: "dead-owner", State: "running", Labels: { "codebeaker.owner": ownerLabel(spawnSync("true").pid!) } },
      ]);
      expect(await ids(docker)).toEqual(["pid-reused", "dead-owner"]);
    } finally {
      live.kill();
    }
  });

  it("of an owner nobody here can judge are only those stopped or never started for longer than a live host takes", async () => {
    const docker = engine([
      { Id: "running-old", State: "running", Created: minutesAgo(600), Labels: { "codebeaker.owner": elsewhere } },
      { Id: "created-just-now", State: "created", Created: minutesAgo(1), Labels: { "codebeaker.owner": elsewhere } },
      {
        Id: "created-long-ago",
        State: "created",
        Created: minutesAgo(ABANDONED_AFTER_MS / 60_000 + 1),
        Labels: { "codebeaker.owner": elsewhere },
      },
      { Id: "exited-long-ago", State: "exited", Created: minutesAgo(60), Labels: { "codebeaker.owner": elsewhere } },
    ]);
    expect(await ids(docker)).toEqual(["created-long-ago", "exited-long-ago"]);
  });

  it("of a host in a container on this engine: gone with that container, or when it started again after them", async () => {
    const label = (container: string) => ({ "codebeaker.owner": elsewhere, "codebeaker.owner-container": container });
    const docker = engine(
      [
        { Id: "of-running-host", Labels: label("host-a") },
        { Id: "of-restarted-host", Labels: label("host-b") },
        { Id: "of-stopped-host", Labels: label("host-c") },
        { Id: "of-removed-host", Labels: label("host-d") },
      ],
      {
        "host-a": { State: { Running: true, StartedAt: "2026-01-01T11:00:00.000000001Z" } },
        "host-b": { State: { Running: true, StartedAt: "2026-01-01T11:59:00.5Z" } },
        "host-c": { State: { Running: false, StartedAt: "2026-01-01T11:00:00Z" } },
        "of-running-host": { Created: "2026-01-01T11:30:00Z" },
        "of-restarted-host": { Created: "2026-01-01T11:59:00.4Z" },
        "of-stopped-host": { Created: "2026-01-01T11:30:00Z" },
        "of-removed-host": { Created: "2026-01-01T11:30:00Z" },
      },
    );
    expect(await ids(docker)).toEqual(["of-restarted-host", "of-stopped-host", "of-removed-host"]);
  });
});
