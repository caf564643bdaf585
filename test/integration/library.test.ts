import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Beaker, CodeBeakerError, Lab, RuntimeRegistry } from "../../host/library";
import { SessionClose, SessionList } from "../../host/protocol/methods";
import { containersOwnedBy } from "./helpers";

/** The library on the real engine: what the README's examples do not show, and what must not go wrong. */
describe("the library", () => {
  const lab = new Lab({ warmPool: 0 });
  afterAll(async () => {
    await lab.close();
    expect(await containersOwnedBy()).toEqual([]);
  });

  it("runs at most `concurrency` jobs at once, and returns results in the jobs' order", async () => {
    // Each job prints when it started and ended by the sandbox's clock (the machine's): at no moment do more
    // than two overlap, and four of them take two rounds.
    const job = (name: string): [string, string] => ["python", `import time\ns = time.time()\ntime.sleep(0.6)\nprint("${name}", s, time.time())`];
    const results = await lab.runParallel([job("a"), job("b"), job("c"), job("d")], { concurrency: 2 });
    const spans = results.map((result) => {
      const [name, start, end] = result.output.split(" ");
      return { name, start: Number(start), end: Number(end) };
    });
    expect(spans.map((span) => span.name)).toEqual(["a", "b", "c", "d"]);
    const overlapping = (at: number) => spans.filter((span) => span.start <= at && at < span.end).length;
    expect(Math.max(...spans.map((span) => overlapping(span.start)))).toBe(2);
  });

  it("refuses a job it cannot run before running any, naming it", async () => {
    await expect(lab.runParallel([["python", "print(1)"], ["cobol", "DISPLAY 1"]])).rejects.toThrow(/job 1: unknown language "cobol" \(known: python, /);
    await expect(lab.runParallel([], { concurrency: 0 })).rejects.toThrow(/concurrency must be a whole number/);
  });

  it("answers a bad configuration with the host's error, saying which field and why", async () => {
    const beaker = lab.beaker("python", { cpuLimit: -1 });
    const failure = await beaker.run("print(1)").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CodeBeakerError);
    expect(failure).toMatchObject({ code: -32602, message: expect.stringMatching(/cpuLimit: Too small/) });
    await expect(lab.beaker("python", { version: "2.7" }).run("print(1)")).rejects.toThrow("python 2.7 was asked for, but this runtime is python 3.11");
    await expect(lab.beaker("klingon").run("x")).rejects.toThrow(/klingon/);
  });

  it("keeps running when its session ended behind its back: a new one starts", async () => {
    const beaker = lab.beaker("python");
    expect((await beaker.run("print('first')")).output).toBe("first");
    const { sessions } = await lab.call(SessionList, {});
    await Promise.all(sessions.map((session) => lab.call(SessionClose, { sessionId: session.sessionId })));
    expect((await beaker.run("print('second')")).output).toBe("second");
    expect((await beaker.getHistory()).map((run) => run.version)).toEqual(["v1", "v2"]);
    await beaker.close();
  });

  it("rejects a run whose listener threw, once the run has ended, and keeps the sandbox usable", async () => {
    const beaker = lab.beaker("python");
    beaker.on("complete", () => {
      throw new Error("the listener broke");
    });
    await expect(beaker.run("print(1)")).rejects.toThrow("the listener broke");
    const history = await beaker.getHistory();
    expect(history).toHaveLength(1); // the run happened and was recorded
    await beaker.close();
  });

  it("continues a named history in a later lab that keeps histories in the same place", async () => {
    const historyDir = mkdtempSync(join(tmpdir(), "codebeaker-lab-history-"));
    const first = new Lab({ historyDir, warmPool: 0 });
    await new Beaker({ language: "python", lab: first, workspace: "grading" }).run("print('one')");
    await first.close();
    const second = new Lab({ historyDir, warmPool: 0 });
    const beaker = second.beaker("python", { workspace: "grading" });
    await beaker.run("print('two')");
    expect((await beaker.getHistory()).map((run) => run.version)).toEqual(["v1", "v2"]);
    expect((await beaker.rollbackTo("v1")).code).toBe("print('one')");
    expect((await beaker.run()).output).toBe("one");
    await second.close();
  });

  it("runs a registered runtime with a compile step, whose failure is a CompilationError result", async () => {
    // sh -n reads a script without running it: a syntax check standing in for a compiler.
    RuntimeRegistry.register("checked-shell", { image: "debian:bookworm-slim", entryFile: "main.sh", compile: ["sh", "-n", "{file}"], run: ["sh", "{file}"] });
    const beaker = lab.beaker("checked-shell", { memoryLimit: "64m" });
    const ran = await beaker.run("echo compiled; echo ran");
    expect(ran).toMatchObject({ success: true, output: "compiled\nran", stages: { compile: { status: "Success" }, run: { status: "Success" } } });
    const broken = await beaker.run("if then fi");
    expect(broken).toMatchObject({ success: false, status: "CompilationError", stages: { compile: { status: "CompilationError" } } });
    expect(broken.error).toMatch(/main\.sh: \d+: Syntax error/);
    await beaker.close();
  });

  it("closes its open beakers when it closes, and starts again for a beaker that runs after", async () => {
    const own = new Lab({ warmPool: 0 });
    const beaker = own.beaker("python");
    expect((await beaker.run("print('before')")).output).toBe("before");
    await own.close();
    expect(await containersOwnedBy()).toEqual([]);
    expect((await beaker.run("print('after')")).output).toBe("after");
    await own.close();
    expect(await containersOwnedBy()).toEqual([]);
  });

  it("leaves nothing behind when a script closes the beakers of the default lab", async () => {
    const beaker = new Beaker({ language: "javascript" });
    expect((await beaker.run("console.log(1 + 1)")).output).toBe("2");
    await beaker.close();
    expect(await containersOwnedBy()).toEqual([]);
    // Closing the default lab with a beaker open ends that beaker too (and does not wait on itself).
    const open = new Beaker({ language: "python" });
    await open.run("print(1)");
    await (Lab as unknown as { default: Lab }).default.close();
    expect(await containersOwnedBy()).toEqual([]);
  });
});
