import { execFileSync } from "node:child_process";
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { contentHash } from "../../contract/content-hash";
import { BlobStore } from "../../host/history/blobs";
import { unifiedDiff } from "../../host/history/diff";
import { describe as stats, percentile } from "../../host/history/repeat";
import { HistoryStore, NewRun, WorkspaceHistory } from "../../host/history/store";

const root = () => mkdtempSync(join(tmpdir(), "codebeaker-history-unit-"));

function run(path: string, status: NewRun["status"] = "Success"): NewRun {
  return {
    path,
    at: new Date().toISOString(),
    language: "python",
    sessionId: "s1",
    status,
    exitCode: status === "Success" ? 0 : 1,
    metrics: { wallMs: 10, cpuMs: 8, peakMemoryBytes: 1 << 20 },
    error: status === "Success" ? null : "RuntimeError: the program exited with code 1",
    location: null,
    errorType: null,
    stdoutHead: "",
    stderrHead: "",
  };
}
const snap = (path: string, text: string) => ({ path, content: Buffer.from(text) });

/** The directory a workspace's history is kept in (the only one under a fresh root). */
const dirOf = (base: string) => join(base, readdirSync(base)[0]!);

describe("a workspace's history", () => {
  it("numbers versions per file, newest first when listed, and keeps each run's text", async () => {
    const history = await WorkspaceHistory.open(root(), "w", 100);
    const a1 = await history.record(run("a.py"), [snap("a.py", "print(1)")]);
    const b1 = await history.record(run("b.py", "RuntimeError"), [snap("b.py", "boom")]);
    const a2 = await history.record(run("a.py", "RuntimeError"), [snap("a.py", "print(1/0)")]);
    expect([a1.version, b1.version, a2.version]).toEqual([1, 1, 2]);
    expect(history.list({ limit: 10 }).map((r) => `${r.path}@${r.version}`)).toEqual(["a.py@2", "b.py@1", "a.py@1"]);
    expect(history.list({ path: "a.py", status: "Success", limit: 10 }).map((r) => r.version)).toEqual([1]);
    expect((await history.content(history.version("a.py", 1)!))!.toString()).toBe("print(1)");
    expect(history.latest("a.py", "Success")!.version).toBe(1);
    expect(history.byId(b1.id)?.path).toBe("b.py");
  });

  it("stores identical snapshots once", async () => {
    const base = root();
    const history = await WorkspaceHistory.open(base, "w", 100);
    await history.record(run("a.py"), [snap("a.py", "same"), snap("lib.py", "shared")]);
    await history.record(run("a.py"), [snap("a.py", "same"), snap("lib.py", "shared")]);
    await history.record(run("c.py"), [snap("c.py", "shared")]);
    const blobs = readdirSync(join(dirOf(base), "blobs")).flatMap((shard) => readdirSync(join(dirOf(base), "blobs", shard)));
    expect(blobs.sort()).toEqual([contentHash(Buffer.from("same")), contentHash(Buffer.from("shared"))].sort());
  });

  it("survives being opened again, as after a host restart", async () => {
    const base = root();
    const first = await WorkspaceHistory.open(base, "w", 100);
    await first.record(run("a.py"), [snap("a.py", "v1")]);
    await first.record(run("a.py"), [snap("a.py", "v2")]);
    const again = await WorkspaceHistory.open(base, "w", 100);
    expect(again.list({ limit: 10 }).map((r) => r.version)).toEqual([2, 1]);
    expect((await again.record(run("a.py"), [snap("a.py", "v3")])).version).toBe(3);
  });

  it("recovers from a torn write: the half line is cut off, every older run is intact", async () => {
    const base = root();
    const first = await WorkspaceHistory.open(base, "w", 100);
    await first.record(run("a.py"), [snap("a.py", "v1")]);
    await first.record(run("a.py", "RuntimeError"), [snap("a.py", "v2")]);
    const log = join(dirOf(base), "runs.jsonl");
    const intact = readFileSync(log, "utf8");
    appendFileSync(log, '{"id":"torn","workspace":"w","path":"a.py","vers'); // the crash mid-append
    const recovered = await WorkspaceHistory.open(base, "w", 100);
    expect(recovered.list({ limit: 10 }).map((r) => [r.version, r.status])).toEqual([
      [2, "RuntimeError"],
      [1, "Success"],
    ]);
    expect(readFileSync(log, "utf8")).toBe(intact);
    expect((await recovered.record(run("a.py"), [snap("a.py", "v3")])).version).toBe(3);
    expect(readFileSync(log, "utf8").split("\n").filter(Boolean)).toHaveLength(3);
  });

  it("skips a line damaged in the middle and keeps the rest", async () => {
    const base = root();
    const first = await WorkspaceHistory.open(base, "w", 100);
    await first.record(run("a.py"), [snap("a.py", "v1")]);
    const log = join(dirOf(base), "runs.jsonl");
    writeFileSync(log, `not json at all\n${readFileSync(log, "utf8")}`);
    expect((await WorkspaceHistory.open(base, "w", 100)).list({ limit: 10 }).map((r) => r.version)).toEqual([1]);
  });

  it("keeps at most the retention limit, newest, with their version numbers, and drops their unused snapshots", async () => {
    const base = root();
    const history = await WorkspaceHistory.open(base, "w", 3);
    for (let version = 1; version <= 5; version++) await history.record(run("a.py"), [snap("a.py", `v${version}`)]);
    expect(history.list({ limit: 10 }).map((r) => r.version)).toEqual([5, 4, 3]);
    const reopened = await WorkspaceHistory.open(base, "w", 3);
    expect(reopened.list({ limit: 10 }).map((r) => r.version)).toEqual([5, 4, 3]);
    expect((await reopened.record(run("a.py"), [snap("a.py", "v6")])).version).toBe(6);
    await reopened.settled(); // the log reached twice the limit: it was rewritten, and old snapshots went
    const lines = readFileSync(join(dirOf(base), "runs.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean);
    expect(lines.map((line) => JSON.parse(line).version)).toEqual([4, 5, 6]);
    const blobs = readdirSync(join(dirOf(base), "blobs")).flatMap((shard) => readdirSync(join(dirOf(base), "blobs", shard)));
    expect(blobs.sort()).toEqual(["v4", "v5", "v6"].map((text) => contentHash(Buffer.from(text))).sort());
  });

  it("rewrites the log only once it holds as many dropped runs as the limit: one append per run otherwise", async () => {
    const base = root();
    const history = await WorkspaceHistory.open(base, "w", 4);
    for (let version = 1; version <= 7; version++) await history.record(run("a.py"), [snap("a.py", `v${version}`)]);
    await history.settled();
    const log = () =>
      readFileSync(join(dirOf(base), "runs.jsonl"), "utf8")
        .split("\n")
        .filter(Boolean).length;
    expect(log()).toBe(7); // 3 dropped runs still on disk: no rewrite yet
    expect(history.list({ limit: 10 }).map((r) => r.version)).toEqual([7, 6, 5, 4]);
    await history.record(run("a.py"), [snap("a.py", "v8")]);
    await history.settled();
    expect(log()).toBe(4);
  });

  it("records concurrent runs one after another, each with its own version", async () => {
    const history = await WorkspaceHistory.open(root(), "w", 100);
    const recorded = await Promise.all([1, 2, 3, 4].map((n) => history.record(run("a.py"), [snap("a.py", `v${n}`)])));
    expect(recorded.map((r) => r.version).sort()).toEqual([1, 2, 3, 4]);
  });

  it("stores a running file's text ahead of its record, which then refers to it", async () => {
    const base = root();
    const history = await WorkspaceHistory.open(base, "w", 100);
    const text = "print('ahead')";
    history.storeAhead(Buffer.from(text));
    const recorded = await history.record(run("a.py"), [snap("a.py", text)]);
    const hash = contentHash(Buffer.from(text));
    expect(recorded.files).toEqual([{ path: "a.py", hash, size: text.length }]);
    expect(readFileSync(join(dirOf(base), "blobs", hash.slice(0, 2), hash), "utf8")).toBe(text);
  });

  it("writes the same content put several times at once once, answering each with its hash", async () => {
    const dir = root();
    const blobs = new BlobStore(dir);
    const content = Buffer.from("print('same')");
    const hash = contentHash(content);
    expect(await Promise.all([1, 2, 3].map(() => blobs.put(content)))).toEqual([hash, hash, hash]);
    expect(readdirSync(join(dir, hash.slice(0, 2)))).toEqual([hash]); // no partial file left beside it
    expect((await blobs.get(hash)).toString()).toBe("print('same')");
  });
});

describe("the version diff", () => {
  const cases: Array<[string, string, string]> = [
    ["a one-line change", "a\nb\nc\n", "a\nB\nc\n"],
    [
      "two distant changes",
      Array.from({ length: 20 }, (_, i) => `${i}`).join("\n") + "\n",
      Array.from({ length: 20 }, (_, i) => (i === 2 || i === 15 ? `x${i}` : `${i}`)).join("\n") + "\n",
    ],
    ["a new file", "", "new\nfile\n"],
    ["a deleted file", "gone\n", ""],
    ["a fix and an added line", "x = 1\ny = 0\nprint(x / y)\n", "x = 1\ny = 2\nprint(x / y)\nprint('done')\n"],
  ];

  it.each(cases)("of %s is what diff -u says", (_, before, after) => {
    const dir = mkdtempSync(join(tmpdir(), "codebeaker-diff-"));
    writeFileSync(join(dir, "a"), before);
    writeFileSync(join(dir, "b"), after);
    let expected = "";
    try {
      execFileSync("diff", ["-u", "--label", "a/f.py", "--label", "b/f.py", join(dir, "a"), join(dir, "b")]);
    } catch (error) {
      expected = (error as { stdout: Buffer }).stdout.toString();
    }
    const ours = unifiedDiff(before, after, "f.py");
    expect(ours.diff).toBe(expected);
    expect(ours.added).toBe(expected.split("\n").filter((line) => /^\+(?!\+\+)/.test(line)).length);
    expect(ours.removed).toBe(expected.split("\n").filter((line) => /^-(?!--)/.test(line)).length);
  });

  it("is empty for equal texts", () => {
    expect(unifiedDiff("same\n", "same\n", "f")).toEqual({ diff: "", added: 0, removed: 0 });
  });
});

describe("repeat statistics", () => {
  it("gives the mean, standard deviation, extremes and interpolated percentiles", () => {
    const summary = stats([10, 20, 30, 40, 50]);
    expect(summary).toMatchObject({ avgDurationMs: 30, stdDurationMs: 14.14, minMs: 10, maxMs: 50, p50: 30, p95: 48 });
    expect(summary.histogram).toHaveLength(10);
    expect(summary.histogram.reduce((sum, bin) => sum + bin.count, 0)).toBe(5);
    expect(summary.histogram[0]).toEqual({ fromMs: 10, toMs: 14, count: 1 });
    expect(summary.histogram[9]).toEqual({ fromMs: 46, toMs: 50, count: 1 });
  });

  it("handles one run and equal runs", () => {
    expect(stats([7])).toMatchObject({ avgDurationMs: 7, stdDurationMs: 0, p50: 7, p95: 7 });
    expect(stats([5, 5, 5]).histogram[0]!.count).toBe(3);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
  });
});

describe("the store of every workspace's history", () => {
  it("reads a workspace that has no history without creating anything", async () => {
    const base = root();
    const store = new HistoryStore(base, 100);
    for (let i = 0; i < 20; i++) expect((await store.workspace(`never-run-${i}`)).list({ limit: 10 })).toEqual([]);
    expect(readdirSync(base)).toEqual([]);
  });

  it("creates a workspace's directory with its first record, and reads it back through the same history", async () => {
    const base = root();
    const store = new HistoryStore(base, 100);
    const [read, recording] = await Promise.all([store.workspace("w"), store.recording("w")]);
    await recording.record(run("a.py"), [snap("a.py", "print(1)")]);
    expect(readdirSync(base)).toHaveLength(1);
    expect(read.list({ limit: 10 })).toEqual([]); // opened before the record, and not kept
    expect(await store.workspace("w")).toBe(recording);
    expect((await store.workspace("w")).list({ limit: 10 }).map((r) => r.version)).toEqual([1]);
  });
});
