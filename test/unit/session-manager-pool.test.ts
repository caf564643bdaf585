import { afterEach, describe, expect, it } from "vitest";
import type { IsolationBackend, Sandbox, SandboxEnd, SandboxSpec } from "../../host/isolation/backend";
import { silentLogger } from "../../host/log";
import { SessionCreateParams } from "../../contract/protocol/session";
import { RuntimeRegistry } from "../../contract/runtimes/registry";
import { DEFAULT_SETTINGS, SessionManager } from "../../host/sessions/manager";

/** A backend that makes in-memory sandboxes and remembers the specs it was asked for. */
function fakeBackend() {
  const specs: SandboxSpec[] = [];
  const sandboxes: Array<{ closed: boolean }> = [];
  const backend = {
    kind: "docker" as const,
    available: async () => ({ ok: true as const }),
    removeLeftovers: async () => 0,
    dispose: async () => undefined,
    createSandbox: async (spec: SandboxSpec) => {
      specs.push(spec);
      const state = { closed: false };
      sandboxes.push(state);
      const sandbox: Partial<Sandbox> = {
        id: `container-of-${spec.sessionId}`,
        image: "fake",
        list: async () => [],
        close: async () => void (state.closed = true),
        ended: new Promise<SandboxEnd>(() => undefined),
      };
      return sandbox as Sandbox;
    },
  };
  return { backend: backend as IsolationBackend, specs, sandboxes };
}

let manager: SessionManager | undefined;
afterEach(async () => {
  await manager?.dispose("test done");
});

function managerWith(settings: Partial<typeof DEFAULT_SETTINGS> = {}) {
  const fake = fakeBackend();
  manager = new SessionManager(
    { choose: async () => fake.backend },
    RuntimeRegistry.builtIn(),
    { ...DEFAULT_SETTINGS, ...settings },
    silentLogger,
  );
  const create = (params: Record<string, unknown>) => manager!.create(SessionCreateParams.parse({ language: "python", ...params }));
  return { manager, create, ...fake };
}

describe("session.create with a warm pool", () => {
  it("serves the second session of a configuration from the spare made for it, under the spare's own id", async () => {
    const { manager, create, specs } = managerWith();
    const first = await create({});
    await manager.pool.settled();
    expect(specs.map((spec) => spec.sessionId)).toEqual([first.id, expect.any(String)]);
    const spareId = specs[1]!.sessionId;

    const second = await create({ idleTimeoutMinutes: 5 }); // timers are the session's, not the sandbox's
    expect(second.id).toBe(spareId);
    expect(second.sandbox.id).toBe(`container-of-${spareId}`);
    expect(second.config.idleTimeoutMinutes).toBe(5);
    expect(second.createdAt).toBeGreaterThanOrEqual(first.createdAt);
    expect(second.executionCount).toBe(0);
  });

  it("lists sessions only, never the spares", async () => {
    const { manager, create } = managerWith();
    await create({});
    await manager.pool.settled();
    expect(manager.pool.size).toBe(1);
    expect(manager.list().count).toBe(1);
  });

  it("starts a sandbox of its own for a configuration that differs in anything that shapes the sandbox", async () => {
    const { manager, create, specs } = managerWith();
    await create({});
    await manager.pool.settled();
    const variants = [
      { memoryLimitMB: 256 },
      { networkEnabled: true },
      { dockerImage: "debian:bookworm-slim" },
      { commands: { run: ["python3", "-O", "{file}"] } },
      { language: "javascript" },
    ];
    for (const variant of variants) {
      const before = specs.length;
      const session = await create(variant);
      expect(specs[before]!.sessionId).toBe(session.id); // started for it, not taken from the pool
      await manager.pool.settled();
    }
  });

  it("starts every sandbox on demand when warmPoolSize is 0", async () => {
    const { manager, create, specs } = managerWith({ warmPoolSize: 0 });
    await create({});
    await create({});
    await manager.pool.settled();
    expect(specs).toHaveLength(2);
    expect(manager.pool.size).toBe(0);
  });

  it("removes the spares with the sessions when it is disposed", async () => {
    const { manager, create, sandboxes } = managerWith();
    await create({});
    await manager.pool.settled();
    await manager.dispose("the host shut down");
    expect(sandboxes.map((sandbox) => sandbox.closed)).toEqual([true, true]);
  });
});
