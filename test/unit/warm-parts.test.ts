import { describe, expect, it } from "vitest";
import { Sandbox, WarmPartDefinition, WarmPartError, WarmPartKind } from "../../host/isolation/backend";
import type { Logger } from "../../host/log";
import type { SessionConfig } from "../../contract/protocol/session";
import { BUILD_DIR } from "../../host/runtimes/command-line";
import type { Runtime, WarmParts } from "../../contract/runtimes/manifest";
import { RuntimeRegistry } from "../../contract/runtimes/registry";
import { SessionWarmParts, startWarmParts, warmDefinitions } from "../../host/sessions/warm-parts";

const registry = RuntimeRegistry.builtIn();
const deno = registry.find("deno")!;
const parts: WarmParts = {
  launcher: ["deno", "run", "{permissions}", "/opt/codebeaker/warm/launch.ts"],
  compiler: ["srv", "--out={build}"],
};
const withParts = (runtime: Runtime): Runtime => ({ ...runtime, manifest: { ...runtime.manifest, warm: parts } });
const config = (overrides: Partial<SessionConfig> = {}): SessionConfig => ({
  idleTimeoutMinutes: 30,
  maxLifetimeMinutes: 120,
  memoryLimitMB: 512,
  cpuShares: 1024,
  dockerImage: null,
  cpuLimit: 1,
  pidsLimit: 256,
  networkEnabled: false,
  timeoutMs: 10_000,
  compileTimeoutMs: 60_000,
  outputLimitBytes: 1 << 20,
  permissions: null,
  commands: null,
  packages: [],
  warm: true,
  ...overrides,
});

/** A sandbox that records the warm parts it is asked to define; `refuse` names kinds that cannot start. */
function fakeSandbox(warmParts: WarmParts | undefined, refuse: WarmPartKind[] = [], lost = false) {
  const defined: Array<[WarmPartKind, WarmPartDefinition | null]> = [];
  const sandbox = {
    id: "sandbox-1234567890",
    warmParts,
    defineWarmPart: async (kind: WarmPartKind, definition: WarmPartDefinition | null) => {
      if (lost) throw new Error("the sandbox stopped");
      defined.push([kind, definition]);
      if (refuse.includes(kind)) throw new WarmPartError(kind, "exec: No such file or directory");
      return 7;
    },
  } as unknown as Sandbox;
  return { sandbox, defined };
}

describe("the warm parts a session keeps", () => {
  const runtime = withParts(deno);

  it("are the runtime's, with the session's permission flags and {build} filled in", () => {
    const { sandbox } = fakeSandbox(parts);
    expect(warmDefinitions(runtime, config({ permissions: { allowRead: true, allowNet: ["a.com"] } }), sandbox)).toEqual({
      compiler: ["srv", `--out=${BUILD_DIR}`],
      launcher: ["deno", "run", "--allow-read", "--allow-net=a.com", "/opt/codebeaker/warm/launch.ts"],
    });
  });

  it("are none with warm: false, or where the sandbox cannot run them (a user's image)", () => {
    expect(warmDefinitions(runtime, config({ warm: false }), fakeSandbox(parts).sandbox)).toEqual({});
    expect(warmDefinitions(runtime, config(), fakeSandbox(undefined).sandbox)).toEqual({});
  });

  it("leave out the part of a stage whose command line the session replaced", () => {
    const { sandbox } = fakeSandbox(parts);
    expect(Object.keys(warmDefinitions(runtime, config({ commands: { run: ["deno", "run", "{file}"] } }), sandbox))).toEqual(["compiler"]);
    expect(Object.keys(warmDefinitions(runtime, config({ commands: { compile: null } }), sandbox))).toEqual(["launcher"]);
  });
});

describe("starting and asking for warm parts", () => {
  const logged: string[] = [];
  const log = { warn: (message: string) => logged.push(message) } as unknown as Logger;

  it("starts the compiler, then the launcher; one that cannot start is logged, and its stages run cold", async () => {
    const { sandbox, defined } = fakeSandbox(parts, ["compiler"]);
    await startWarmParts(sandbox, { compiler: ["c"], launcher: ["l"] }, log);
    expect(defined.map(([kind]) => kind)).toEqual(["compiler", "launcher"]);
    expect(logged).toEqual(["sandbox-1234: the warm compiler could not start: exec: No such file or directory; its stages run cold"]);
  });

  it("fails with the sandbox when it is lost, so that a spare is not handed out", async () => {
    await expect(startWarmParts(fakeSandbox(parts, [], true).sandbox, { launcher: ["l"] }, log)).rejects.toThrow("the sandbox stopped");
  });

  it("serves a stage from a part started with its command line; one that would differ is defined again, and that stage is cold", async () => {
    const { sandbox, defined } = fakeSandbox(parts);
    const warm = new SessionWarmParts(sandbox, { launcher: ["deno", "run", "launch.ts"] });
    expect(await warm.forStage("launcher", { launcher: ["deno", "run", "launch.ts"] })).toBe("launcher");
    expect(await warm.forStage("compiler", { launcher: ["deno", "run", "launch.ts"] })).toBeUndefined();
    expect(defined).toEqual([]);
    expect(await warm.forStage("launcher", { launcher: ["deno", "run", "--allow-read", "launch.ts"] })).toBeUndefined();
    expect(defined).toEqual([["launcher", { argv: ["deno", "run", "--allow-read", "launch.ts"], makeDirectories: [BUILD_DIR] }]]);
    expect(await warm.forStage("launcher", { launcher: ["deno", "run", "--allow-read", "launch.ts"] })).toBe("launcher");
  });
});
