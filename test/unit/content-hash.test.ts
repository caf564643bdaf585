import { ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentHash } from "../../contract/content-hash";
import { runnerBinary } from "../../host/isolation/process/runner-binary";
import { RunnerClient } from "../../host/isolation/runner-client";
import { packArchive } from "../../host/isolation/ustar";

/**
 * The mirror's one hash, computed by TypeScript (the extension, the host) and by cb-runner's C: both must give
 * the published SHA-256 digests, and agree on every length around the end of a 64-byte block, where padding
 * mistakes hide.
 */
const published = JSON.parse(readFileSync(join(__dirname, "../fixtures/content-hash/sha256-vectors.json"), "utf8")) as {
  vectors: Array<{ text: string; repeat?: number; sha256: string }>;
};
const vectors = published.vectors.map((vector) => ({
  content: Buffer.from(vector.text.repeat(vector.repeat ?? 1)),
  sha256: vector.sha256,
}));
const lengths = [1, 55, 56, 57, 63, 64, 65, 119, 120, 121, 128, 65_537];
const patterned = lengths.map((length) => Buffer.from(Array.from({ length }, (_, i) => (i * 31 + 7) % 256)));

describe("contentHash", () => {
  it("gives the published SHA-256 digests, in lowercase hex", () => {
    for (const vector of vectors) expect(contentHash(vector.content)).toBe(vector.sha256);
  });
});

describe("cb-runner's hash", () => {
  let base: string;
  let root: string;
  let runner: ChildProcess;
  let client: RunnerClient;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), "codebeaker-hash-"));
    root = join(base, "workspace");
    mkdirSync(root);
    runner = spawn(await runnerBinary(), ["--root", root], { stdio: ["pipe", "pipe", "inherit"] });
    client = new RunnerClient(runner.stdin!, runner.stdout!, "hash-test");
    await client.ready();
  }, 60_000);

  afterAll(async () => {
    const exited = new Promise((resolve) => runner.once("exit", resolve));
    runner.stdin!.end();
    await exited;
    rmSync(base, { recursive: true, force: true });
  });

  it("is contentHash: as it writes a file and when it reads one back, for the published vectors and around a block's end", async () => {
    const files = [...vectors.map((vector) => vector.content), ...patterned].map((content, i) => ({ name: `v${i}`, content }));
    const written = await client.unpack(await packArchive(files), []);
    const read = await client.checksums(files.map((file) => `${root}/${file.name}`));
    const expected = files.map((file) => contentHash(file.content));
    expect(written.map((outcome) => outcome.status === "written" && outcome.checksum)).toEqual(expected);
    expect(read.map((found) => found?.checksum)).toEqual(expected);
    expect(expected.slice(0, vectors.length)).toEqual(vectors.map((vector) => vector.sha256));
  });
});
