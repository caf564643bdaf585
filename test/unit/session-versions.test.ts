import { afterEach, describe, expect, it } from "vitest";
import type { IsolationBackend, Sandbox, SandboxEnd, SandboxSpec } from "../../host/isolation/backend";
import { ProcessBackend } from "../../host/isolation/process/process-backend";
import { silentLogger } from "../../host/log";
import { ErrorCodes, RpcError } from "../../contract/protocol/errors";
import { SessionCreateParams } from "../../contract/protocol/session";
import type { Runtime } from "../../contract/runtimes/manifest";
import { RuntimeRegistry } from "../../contract/runtimes/registry";
import { DEFAULT_SETTINGS, SessionManager } from "../../host/sessions/manager";

/** A backend of in-memory sandboxes; `here` plays process isolation, which has only this machine's versions. */
function fakeBackend(here?: (versions: readonly Runtime[]) => Runtime[]) {
  const specs: SandboxSpec[] = [];
  const backend = {
    kind: here ? ("process" as const) : ("docker" as const),
    available: async () => ({ ok: true as const }),
    removeLeftovers: async () => 0,
    dispose: async () => undefined,
    ...(here ? { versionsHere: here } : {}),
    createSandbox: async (spec: SandboxSpec) => {
      specs.push(spec);
      const sandbox: Partial<Sandbox> = {
        id: `c-${spec.sessionId}`,
        image: "fake",
        list: async () => [],
        close: async () => undefined,
        ended: new Promise<SandboxEnd>(() => undefined),
      };
      return sandbox as Sandbox;
    },
  };
  return { backend: backend as IsolationBackend, specs };
}

let manager: SessionManager | undefined;
afterEach(async () => {
  await manager?.dispose("test done");
});

function managerWith(here?: (versions: readonly Runtime[]) => Runtime[]) {
  const fake = fakeBackend(here);
  manager = new SessionManager(
    { choose: async () => fake.backend },
    RuntimeRegistry.builtIn(),
    { ...DEFAULT_SETTINGS, warmPoolSize: 0 },
    silentLogger,
  );
  const create = (params: Record<string, unknown>) => manager!.create(SessionCreateParams.parse({ language: "python", ...params }));
  return { manager, create, specs: fake.specs };
}

async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof RpcError)) throw new Error(`expected an RpcError, got ${String(error)}`);
  return error;
}

describe("session.create's version", () => {
  it("gives the version asked for: 3.11 is Python 3.11, in its own folder's image", async () => {
    const { create, specs, manager } = managerWith();
    const session = await create({ version: "3.11" });
    expect(specs[0]!.runtime.manifest.version).toBe("3.11");
    expect(specs[0]!.runtime.directory).toMatch(/runtimes\/python\/3\.11$/);
    expect(session.createResult()).toMatchObject({ language: "python", version: "3.11" });
    expect(manager.list().sessions[0]).toMatchObject({ language: "python", version: "3.11" });
  });

  it("gives the newest stable version when none is asked for, and says which", async () => {
    const { create } = managerWith();
    expect((await create({})).createResult().version).toBe("3.13");
    expect((await create({ language: "js" })).createResult().version).toBe("24");
    expect((await create({ language: "java" })).createResult().version).toBe("21");
  });

  it("refuses a version the language does not have with -32602, listing the versions there are", async () => {
    const { create, specs } = managerWith();
    const error = await rejection(create({ version: "2.7" }));
    expect(error.code).toBe(ErrorCodes.InvalidParams);
    expect(error.message).toBe('Invalid params: version: python has no version "2.7" (there are 3.11, 3.13; the default is 3.13)');
    expect(error.data).toEqual({ language: "python", version: "2.7", versions: ["3.13", "3.11"], default: "3.13" });
    expect(specs).toEqual([]);
  });

  it("under process isolation, defaults to the version this machine's toolchain is, and refuses the others", async () => {
    const onlyOldest = (versions: readonly Runtime[]) => versions.filter((runtime) => runtime.manifest.version === "3.11");
    const { create } = managerWith(onlyOldest);
    expect((await create({})).createResult().version).toBe("3.11");
    await expect(create({ version: "3.13" })).rejects.toThrow(
      "python 3.13 needs docker or gvisor isolation: process isolation runs this machine's own toolchains, and this machine's own python is 3.11",
    );
  });

  it("under process isolation, says when this machine has no version of the language", async () => {
    const { create } = managerWith(() => []);
    await expect(create({ language: "go" })).rejects.toThrow(
      "this machine has no go of a version CodeBeaker has (1.19, 1.24): use docker or gvisor isolation",
    );
  });
});

describe("process isolation's versions", () => {
  const python = RuntimeRegistry.builtIn().versions("python");
  const withCheck = (runtime: Runtime, printed: string): Runtime => ({
    ...runtime,
    manifest: {
      ...runtime.manifest,
      localToolchain: { command: ["sh", "-c", `echo '${printed}'`], matches: runtime.manifest.localToolchain!.matches },
    },
  });

  it("are those whose check matches what this machine's toolchain prints", () => {
    const backend = new ProcessBackend(silentLogger);
    const [newest, oldest] = [withCheck(python[0]!, "Python 3.11.2"), withCheck(python[1]!, "Python 3.11.2")];
    expect(backend.versionsHere([newest, oldest]).map((runtime) => runtime.manifest.version)).toEqual(["3.11"]);
  });

  it("take a runtime without a check (one a program registered) as this machine's", () => {
    const { localToolchain: _check, ...manifest } = python[0]!.manifest;
    expect(new ProcessBackend(silentLogger).versionsHere([{ ...python[0]!, manifest }])).toHaveLength(1);
  });
});
