import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SandboxSpec } from "../../host/isolation/backend";
import { containerOptions, keeperOptions } from "../../host/isolation/docker/container-spec";
import { RUNNER_PATH } from "../../host/isolation/docker/images";
import { type LimitOverrides, resolveLimits } from "../../contract/limits";
import { RuntimeRegistry } from "../../contract/runtimes/registry";

const RUNTIMES = join(__dirname, "..", "..", "runtimes");
const MiB = 1024 * 1024;

function spec(language = "python", request: LimitOverrides = {}, networkEnabled = false): SandboxSpec {
  return {
    sessionId: "sess-42",
    runtime: RuntimeRegistry.builtIn(RUNTIMES).find(language)!,
    limits: resolveLimits({ request }),
    networkEnabled,
  };
}

function options(s: SandboxSpec = spec()) {
  const created = containerOptions(s, "codebeaker/python:abc", "host-1/1234");
  const host = created.HostConfig;
  if (!host) throw new Error("containerOptions gave no HostConfig");
  return { created, host };
}

describe("containerOptions: safe defaults", () => {
  it("has no network unless the session asks for one", () => {
    const { created, host } = options();
    expect(host.NetworkMode).toBe("none");
    expect(created.NetworkDisabled).toBe(true);
  });

  it("has a network when networkEnabled is set", () => {
    const { created, host } = options(spec("python", {}, true));
    expect(host.NetworkMode).not.toBe("none");
    expect(created.NetworkDisabled).toBe(false);
  });

  it("limits memory with swap counted in: Memory equals MemorySwap", () => {
    const { host } = options(spec("python", { memoryMb: 300 }));
    expect(host.Memory).toBe(300 * MiB);
    expect(host.MemorySwap).toBe(300 * MiB);
  });

  it("uses the resolved default memory when the session sets none", () => {
    const limits = resolveLimits({});
    const { host } = options();
    expect(host.Memory).toBe(limits.memoryMb * MiB);
    expect(host.MemorySwap).toBe(host.Memory);
  });

  it("gives a CPU quota in nano-CPUs, the CPU shares and the process limit", () => {
    const { host } = options(spec("python", { cpus: 1.5, cpuShares: 512, pids: 100 }));
    expect(host.NanoCpus).toBe(1_500_000_000);
    expect(host.CpuShares).toBe(512);
    expect(host.PidsLimit).toBe(100);
  });

  it("drops every capability and forbids gaining privileges", () => {
    const { host } = options();
    expect(host.CapDrop).toEqual(["ALL"]);
    expect(host.CapAdd ?? []).toEqual([]);
    expect(host.SecurityOpt).toContain("no-new-privileges");
    expect(host.Privileged ?? false).toBe(false);
  });

  it("runs as the unprivileged user 1000:1000 on a read-only root filesystem", () => {
    const { created, host } = options();
    expect(created.User).toBe("1000:1000");
    expect(host.ReadonlyRootfs).toBe(true);
  });

  it("mounts /tmp and /workspace as tmpfs of the sizes in the limits", () => {
    const { host } = options(spec("python", { tmpMb: 64, workspaceMb: 128 }));
    expect(Object.keys(host.Tmpfs ?? {}).sort()).toEqual(["/tmp", "/workspace"]);
    const tmp = host.Tmpfs?.["/tmp"]?.split(",") ?? [];
    const workspace = host.Tmpfs?.["/workspace"]?.split(",") ?? [];
    expect(tmp).toContain("size=64m");
    expect(workspace).toContain("size=128m");
    for (const mount of [tmp, workspace]) {
      expect(mount).toContain("nosuid");
      expect(mount).toContain("nodev");
    }
    expect(workspace).toEqual(expect.arrayContaining(["uid=1000", "gid=1000"]));
  });

  it("mounts nothing from the host", () => {
    const { created, host } = options();
    expect(host.Binds).toBeUndefined();
    expect(host.Mounts).toBeUndefined();
    expect(host.VolumesFrom).toBeUndefined();
    expect(host.Devices).toBeUndefined();
    expect(created.Volumes).toBeUndefined();
  });

  it("labels the container with its session, owner and language", () => {
    const { created } = options(spec("java"));
    expect(created.Labels).toEqual({
      "codebeaker.session": "sess-42",
      "codebeaker.owner": "host-1/1234",
      "codebeaker.language": "java",
    });
  });

  it("names the owner's container beside its label when the host runs in one on this engine", () => {
    const created = containerOptions(spec(), "codebeaker/python:abc", { label: "host-1/1234", container: "c0ffee" });
    expect(created.Labels).toMatchObject({ "codebeaker.owner": "host-1/1234", "codebeaker.owner-container": "c0ffee" });
  });

  it("keeps no log of the runner's traffic: the log driver is none", () => {
    expect(options().host.LogConfig).toEqual({ Type: "none", Config: {} });
    expect(options(spec("python", {}, false)).host.LogConfig?.Type).toBe("none");
  });

  it("bounds /dev/shm like /tmp, and by Docker's usual 64 MiB", () => {
    expect(options(spec("python", { memoryMb: 128 })).host.ShmSize).toBe(32 * MiB);
    expect(options(spec("python", { memoryMb: 2048 })).host.ShmSize).toBe(64 * MiB);
  });

  it("removes itself when it ends and ends when its stdin closes", () => {
    const { created, host } = options();
    expect(host.AutoRemove).toBe(true);
    expect(created.OpenStdin).toBe(true);
    expect(created.StdinOnce).toBe(true);
    expect(created.AttachStdin).toBe(true);
    expect(created.Tty).toBe(false);
  });

  it("runs the runner from the given image in /workspace", () => {
    const { created } = options();
    expect(created.Image).toBe("codebeaker/python:abc");
    expect(created.Entrypoint).toEqual([RUNNER_PATH]);
    expect(created.WorkingDir).toBe("/workspace");
    expect(created.name).toContain("sess-42");
  });

  it("passes the runtime's environment, with HOME in the writable /tmp", () => {
    const { created } = options(spec("typescript"));
    expect(created.Env).toContain("NODE_DISABLE_COLORS=1");
    expect(created.Env).toContain("HOME=/tmp");
  });
});

describe("the exec fallback's container", () => {
  const session = containerOptions(spec("python", { memoryMb: 256 }), "codebeaker/python:abc", "host-1/1234");
  const keeper = keeperOptions(session);

  it("is the session's sandbox, limits and all, with the runner as a keeper for PID 1 and nothing attached", () => {
    expect(keeper.HostConfig).toEqual(session.HostConfig);
    expect(keeper.Labels).toEqual(session.Labels);
    expect(keeper.User).toBe(session.User);
    expect(keeper.Entrypoint).toEqual([RUNNER_PATH]);
    expect(keeper.Cmd).toEqual(["--keeper"]);
    expect([keeper.AttachStdin, keeper.OpenStdin, keeper.StdinOnce]).toEqual([false, false, false]);
  });

  it("has a name of its own, so it never waits for the failed container's name", () => {
    expect(keeper.name).toBe(`${session.name}-exec`);
  });
});
