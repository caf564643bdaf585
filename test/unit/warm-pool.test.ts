import { describe, expect, it } from "vitest";
import type { DirectoryEntryInfo, Sandbox, SandboxEnd } from "../../host/isolation/backend";
import { silentLogger } from "../../host/log";
import { SpareRecipe, WarmPool, WarmPoolSettings } from "../../host/sessions/warm-pool";

/** A sandbox that only knows whether it is closed, ended, and what its /workspace lists. */
class FakeSandbox {
  closed = false;
  entries: DirectoryEntryInfo[] = [];
  answers = true;
  endNow!: (end: SandboxEnd) => void;
  readonly ended = new Promise<SandboxEnd>((resolve) => (this.endNow = resolve));
  constructor(readonly id: string) {}
  async list(): Promise<DirectoryEntryInfo[]> {
    if (!this.answers) throw new Error("the runner is gone");
    return this.entries;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

function fixture(settings: Partial<WarmPoolSettings> = {}) {
  let clock = 1_000_000;
  let ids = 0;
  const made: Record<string, FakeSandbox[]> = {};
  const failing = new Set<string>();
  const pool = new WarmPool(
    { size: 1, maxSpares: 8, idleMs: 60_000, ...settings },
    silentLogger,
    () => clock,
    () => `id${++ids}`,
  );
  const recipe = (key: string): SpareRecipe => ({
    key,
    create: async (sessionId) => {
      if (failing.has(key)) throw new Error(`cannot make ${key}`);
      const sandbox = new FakeSandbox(`${key}/${sessionId}`);
      (made[key] ??= []).push(sandbox);
      return sandbox as unknown as Sandbox;
    },
  });
  return { pool, recipe, made, failing, advance: (ms: number) => (clock += ms) };
}

describe("warm pool", () => {
  it("has nothing for a configuration until it was used, then keeps one spare made for its own session id", async () => {
    const { pool, recipe, made } = fixture();
    expect(await pool.take("python")).toBeUndefined();
    pool.keepWarm(recipe("python"));
    await pool.settled();
    expect(pool.size).toBe(1);
    const spare = await pool.take("python");
    expect(spare?.sessionId).toBe("id1");
    expect(spare?.sandbox).toBe(made.python![0]);
    expect(await pool.take("python")).toBeUndefined(); // handed out once
  });

  it("refills after each use, in the background, up to its size", async () => {
    const { pool, recipe, made } = fixture({ size: 2 });
    pool.keepWarm(recipe("python"));
    await pool.settled();
    await pool.take("python");
    pool.keepWarm(recipe("python"));
    await pool.settled();
    expect(made.python).toHaveLength(3);
    expect(pool.size).toBe(2);
  });

  it("serves a configuration only from its own spares", async () => {
    const { pool, recipe } = fixture();
    pool.keepWarm(recipe("python 512 MB"));
    await pool.settled();
    expect(await pool.take("python 256 MB")).toBeUndefined();
    expect(await pool.take("python 512 MB")).toBeDefined();
  });

  it("makes nothing when its size is 0", async () => {
    const { pool, recipe, made } = fixture({ size: 0 });
    pool.keepWarm(recipe("python"));
    await pool.settled();
    expect(made).toEqual({});
  });

  it("drops a spare whose sandbox ended, and one that no longer answers, instead of handing them out", async () => {
    const { pool, recipe, made } = fixture({ size: 2 });
    pool.keepWarm(recipe("python"));
    await pool.settled();
    const [first, second] = made.python!;
    first!.endNow({ cause: "stopped", detail: "killed" });
    await first!.ended;
    second!.answers = false;
    expect(await pool.take("python")).toBeUndefined();
    expect(second!.closed).toBe(true);
    expect(pool.size).toBe(0);
  });

  it("never hands out a spare whose /workspace holds anything", async () => {
    const { pool, recipe, made } = fixture();
    pool.keepWarm(recipe("python"));
    await pool.settled();
    made.python![0]!.entries = [{ name: "left.txt", type: "file", size: 1, modifiedMs: 0 }];
    expect(await pool.take("python")).toBeUndefined();
    expect(made.python![0]!.closed).toBe(true);
  });

  it("removes the spares of a configuration not used within the idle time, and stops refilling it", async () => {
    const { pool, recipe, made, advance } = fixture({ idleMs: 60_000 });
    pool.keepWarm(recipe("python"));
    await pool.settled();
    advance(59_000);
    pool.sweep();
    expect(made.python![0]!.closed).toBe(false);
    advance(2_000);
    pool.sweep();
    expect(made.python![0]!.closed).toBe(true);
    expect(pool.size).toBe(0);
    expect(await pool.take("python")).toBeUndefined();
  });

  it("holds at most maxSpares, giving up the least recently used configuration's spare for a newer one", async () => {
    const { pool, recipe, made, advance } = fixture({ maxSpares: 2 });
    for (const key of ["python", "javascript", "go"]) {
      pool.keepWarm(recipe(key));
      await pool.settled();
      advance(1_000);
    }
    expect(pool.size).toBe(2);
    expect(made.python![0]!.closed).toBe(true);
    expect(await pool.take("javascript")).toBeDefined();
    expect(await pool.take("go")).toBeDefined();
  });

  it("logs a spare it could not make and tries again on the next use", async () => {
    const { pool, recipe, made, failing } = fixture();
    failing.add("python");
    pool.keepWarm(recipe("python"));
    await pool.settled();
    expect(pool.size).toBe(0);
    failing.delete("python");
    pool.keepWarm(recipe("python"));
    await pool.settled();
    expect(made.python).toHaveLength(1);
  });

  it("on close, removes its spares and any spare that was still being made, and makes no more", async () => {
    const { pool, recipe, made } = fixture();
    pool.keepWarm(recipe("python"));
    await pool.settled();
    pool.keepWarm(recipe("javascript")); // being made while the pool closes
    await pool.close();
    expect(made.python![0]!.closed).toBe(true);
    expect(made.javascript![0]!.closed).toBe(true);
    pool.keepWarm(recipe("go"));
    await pool.settled();
    expect(made.go).toBeUndefined();
    expect(pool.size).toBe(0);
  });
});
