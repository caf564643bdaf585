import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, resolveLimits } from "../../contract/limits";

describe("resolveLimits", () => {
  it("gives the defaults when nothing overrides them, as a copy", () => {
    const limits = resolveLimits({});
    expect(limits).toEqual(DEFAULT_LIMITS);
    limits.memoryMb = 1;
    expect(DEFAULT_LIMITS.memoryMb).not.toBe(1);
  });

  it("sizes /tmp and /workspace at a quarter of the memory unless a layer sets them", () => {
    expect(resolveLimits({ request: { memoryMb: 128 } })).toMatchObject({ tmpMb: 32, workspaceMb: 32 });
    expect(resolveLimits({ request: { memoryMb: 2048 } })).toMatchObject({ tmpMb: 512, workspaceMb: 512 });
    expect(resolveLimits({ request: { memoryMb: 32 } })).toMatchObject({ tmpMb: 16, workspaceMb: 16 });
    expect(resolveLimits({ request: { memoryMb: 128 }, user: { tmpMb: 100 } })).toMatchObject({ tmpMb: 100, workspaceMb: 32 });
  });

  it("takes a runtime override over the default", () => {
    expect(resolveLimits({ runtime: { compileTimeoutMs: 90_000 } }).compileTimeoutMs).toBe(90_000);
  });

  it("takes a user setting over a runtime override", () => {
    expect(resolveLimits({ user: { memoryMb: 1024 }, runtime: { memoryMb: 2048 } }).memoryMb).toBe(1024);
  });

  it("takes the request over a user setting and a runtime override", () => {
    expect(resolveLimits({ request: { pids: 64 }, user: { pids: 128 }, runtime: { pids: 512 } }).pids).toBe(64);
  });

  it("resolves each key on its own", () => {
    const limits = resolveLimits({
      request: { timeoutMs: 1000 },
      user: { timeoutMs: 2000, memoryMb: 1024 },
      runtime: { timeoutMs: 3000, memoryMb: 2048, pids: 64 },
    });
    expect(limits).toEqual({ ...DEFAULT_LIMITS, timeoutMs: 1000, memoryMb: 1024, pids: 64, tmpMb: 256, workspaceMb: 256 });
  });

  it("skips a layer whose value is undefined", () => {
    expect(resolveLimits({ request: { timeoutMs: undefined }, user: { timeoutMs: 2000 } }).timeoutMs).toBe(2000);
    expect(resolveLimits({ request: { cpus: undefined }, user: {}, runtime: { cpus: undefined } }).cpus).toBe(DEFAULT_LIMITS.cpus);
  });

  it("keeps a request value of the lower bound, not mistaking it for absent", () => {
    expect(resolveLimits({ request: { timeoutMs: 1 }, runtime: { timeoutMs: 5000 } }).timeoutMs).toBe(1);
  });

  it("accepts values on the bounds", () => {
    const limits = resolveLimits({ request: { memoryMb: 32, cpus: 0.01, pids: 32_768, outputBytes: 1024 } });
    expect([limits.memoryMb, limits.cpus, limits.pids, limits.outputBytes]).toEqual([32, 0.01, 32_768, 1024]);
    expect(resolveLimits({ user: { memoryMb: 65_536 } }).memoryMb).toBe(65_536);
  });

  it.each([
    ["request", { memoryMb: 31 }],
    ["request", { memoryMb: 65_537 }],
    ["user", { timeoutMs: 0 }],
    ["user", { timeoutMs: 1.5 }],
    ["runtime", { pids: 15 }],
    ["runtime", { cpus: 0 }],
    ["request", { outputBytes: 1023 }],
    ["request", { tmpMb: 0 }],
    ["runtime", { workspaceMb: 65_537 }],
  ] as const)("refuses a %s value out of bounds: %j", (layer, values) => {
    expect(() => resolveLimits({ [layer]: values })).toThrow();
  });
});
