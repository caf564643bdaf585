import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BaseRuntime, Beaker, CodeBeakerError, Lab, RuntimeRegistry } from "../../host/library";
import { SessionClose, SessionExecute, SessionList } from "../../contract/protocol/methods";
import { containersOwnedBy, docker, eventually } from "./helpers";

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
    const job = (name: string): [string, string] => [
      "python",
      `import time\ns = time.time()\ntime.sleep(0.6)\nprint("${name}", s, time.time())`,
    ];
    const results = await lab.runParallel([job("a"), job("b"), job("c"), job("d")], { concurrency: 2 });
    const spans = results.map((result) => {
      const [name, start, end] = result.output.split(" ");
      return { name, start: Number(start), end: Number(end) };
    });
    expect(spans.map((span) => span.name)).toEqual(["a", "b", "c", "d"]);
    const overlapping = (at: number) => spans.filter((span) => span.start <= at && at < span.end).length;
    expect(Math.max(...spans.map((span) => overlapping(span.start)))).toBe(2);
  });

  it("judges code against test cases, compiled once: a verdict each, the seed's per-case options, each case in the history", async () => {
    const beaker = lab.beaker("java", { memoryLimit: "512m" });
    const code = [
      "public class Sum {",
      "  public static void main(String[] args) {",
      "    java.util.Scanner in = new java.util.Scanner(System.in);",
      "    int a = in.nextInt(), b = in.nextInt();",
      "    if (a < 0) while (true) {}",
      "    System.out.println(a + b);",
      "  }",
      "}",
    ].join("\n");
    const result = await beaker.judge(code, [
      { name: "sample", inputData: "2 40", expectedOutput: "42" },
      { stdin: "1 1", expectedOutput: "3" },
      { name: "spins", inputData: "-1 0", timeout: 1.5, memoryLimit: "256m" },
    ]);
    expect(result.verdicts.map((verdict) => [verdict.name, verdict.status])).toEqual([
      ["sample", "Accepted"],
      ["case 2", "WrongAnswer"],
      ["spins", "TimeLimitExceeded"],
    ]);
    expect(result.summary).toMatchObject({ passed: 1, failed: 2, total: 3 });
    expect(result.compile?.status).toBe("Success");
    expect((await beaker.getHistory()).map((entry) => [entry.file, entry.status])).toEqual([
      ["Sum.java", "Success"],
      ["Sum.java", "Success"],
      ["Sum.java", "TimeLimitExceeded"],
    ]);
    await expect(beaker.judge(code, [{ input_data: "1 2" } as never])).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringContaining('judge() case 1: unknown option "input_data" (did you mean inputData?)'),
    });
    await expect(beaker.judge(code, [{ inputData: "1 2", memoryLimit: "1g" }])).rejects.toMatchObject({
      code: "INVALID_PARAMS",
      message: expect.stringContaining("cases[0].memoryLimitMB: 1024 MB is more than the session's 512 MB"),
    });
    await beaker.close();
  });

  it("refuses a job it cannot run before running any, naming it", async () => {
    await expect(
      lab.runParallel([
        ["python", "print(1)"],
        ["cobol", "DISPLAY 1"],
      ]),
    ).rejects.toThrow(/job 1: unknown language "cobol" \(known: python, /);
    await expect(lab.runParallel([], { concurrency: 0 })).rejects.toThrow(/concurrency must be a whole number/);
  });

  it("answers a bad configuration with the host's error, saying which field and why", async () => {
    const beaker = lab.beaker("python", { cpuLimit: -1 });
    const failure = await beaker.run("print(1)").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CodeBeakerError);
    expect(failure).toMatchObject({ code: "INVALID_PARAMS", jsonRpcCode: -32602, message: expect.stringMatching(/cpuLimit: Too small/) });
    const mismatch = await lab
      .beaker("python", { version: "2.7" })
      .run("print(1)")
      .catch((error: unknown) => error);
    expect(mismatch).toBeInstanceOf(CodeBeakerError);
    expect(mismatch).toMatchObject({
      code: "VERSION_MISMATCH",
      jsonRpcCode: -32602,
      message: 'Invalid params: version: python has no version "2.7" (there are 3.11, 3.13; the default is 3.13)',
      data: { language: "python", version: "2.7", versions: ["3.13", "3.11"], default: "3.13" },
    });
    expect((await lab.beaker("python", { version: "3.11" }).run("import sys\nprint(sys.version_info[:2])")).output).toBe("(3, 11)");
    await expect(lab.beaker("klingon").run("x")).rejects.toMatchObject({
      code: "UNKNOWN_LANGUAGE",
      message: expect.stringMatching(/klingon/),
    });
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

  it("keeps running when its sandbox was killed (docker kill): the host answers SessionEnded, and a new session starts", async () => {
    const beaker = lab.beaker("python");
    const before = new Set((await lab.call(SessionList, {})).sessions.map((session) => session.sessionId));
    expect((await beaker.run("print('first')")).output).toBe("first");
    const killed = (await lab.call(SessionList, {})).sessions.find((session) => !before.has(session.sessionId))!;
    await docker.getContainer(killed.containerId).kill();
    const listed = async () => (await lab.call(SessionList, {})).sessions.some((session) => session.sessionId === killed.sessionId);
    await eventually(async () => !(await listed()), "the host noticed its sandbox died");
    const refused = await lab
      .call(SessionExecute, { sessionId: killed.sessionId, command: { type: "list_directory" } })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CodeBeakerError);
    expect(refused).toMatchObject({
      code: "SESSION_ENDED",
      jsonRpcCode: -32004,
      data: { sessionId: killed.sessionId, reason: "its sandbox stopped unexpectedly" },
    });
    expect((await beaker.run("print('second')")).output).toBe("second");
    expect((await beaker.getHistory()).map((run) => run.version)).toEqual(["v1", "v2"]);
    await beaker.close();
  });

  it("rejects a run whose listener threw, once the run has ended, and keeps the sandbox usable", async () => {
    const beaker = lab.beaker("python");
    beaker.on("complete", () => {
      throw new Error("the listener broke");
    });
    await expect(beaker.run("print(1)")).rejects.toMatchObject({
      code: "LISTENER_FAILED",
      message: "a listener threw: the listener broke",
    });
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
    RuntimeRegistry.register("checked-shell", {
      image: "debian:bookworm-slim",
      entryFile: "main.sh",
      compile: ["sh", "-n", "{file}"],
      run: ["sh", "{file}"],
    });
    const beaker = lab.beaker("checked-shell", { memoryLimit: "64m" });
    const ran = await beaker.run("echo compiled; echo ran");
    expect(ran).toMatchObject({
      success: true,
      output: "compiled\nran",
      stages: { compile: { status: "Success" }, run: { status: "Success" } },
    });
    const broken = await beaker.run("if then fi");
    expect(broken).toMatchObject({ success: false, status: "CompilationError", stages: { compile: { status: "CompilationError" } } });
    expect(broken.error).toMatch(/main\.sh: \d+: Syntax error/);
    await beaker.close();
  });

  it("runs a run's own language in a sandbox of that language, and goes back to its own after", async () => {
    const beaker = lab.beaker("python");
    // Code that is JavaScript and not Python: it says which language ran it.
    const javascript = await beaker.run("console.log(typeof process.versions.node)", { language: "javascript" });
    expect(javascript).toMatchObject({ success: true, output: "string", file: "main.js" });
    const again = await beaker.run("import sys; print(sys.version_info[0])");
    expect(again).toMatchObject({ success: true, output: "3", file: "main.py" });
    // An alias names the same sandbox; run() with no code runs the last code in its own language.
    expect((await beaker.run("console.log(6 * 7)", { language: "js" })).output).toBe("42");
    expect((await beaker.run()).output).toBe("42");
    expect((await beaker.getHistory()).map((run) => `${run.file} ${run.version}`)).toEqual([
      "main.js v1",
      "main.py v1",
      "main.js v2",
      "main.js v3",
    ]);
    await beaker.close();
    expect(await containersOwnedBy()).toEqual([]);
  });

  it("applies a run's own memoryLimit, in a sandbox of that limit", async () => {
    const beaker = lab.beaker("python", { memoryLimit: "512m" });
    const fill = "block = b'x' * (160 << 20)\nprint(len(block) >> 20)";
    expect(await beaker.run(fill, { memoryLimit: "64m" })).toMatchObject({ success: false, status: "MemoryLimitExceeded" });
    expect(await beaker.run(fill)).toMatchObject({ success: true, output: "160" });
    await beaker.close();
  });

  it("takes the seed's inputData and workingDir, per run and per beaker", async () => {
    const beaker = lab.beaker("python", { workingDir: "/workspace/task" });
    const where = "import os, sys\nprint(os.getcwd(), sys.stdin.read())";
    expect(await beaker.run(where, { inputData: "given" })).toMatchObject({ output: "/workspace/task given", file: "task/main.py" });
    expect(await beaker.run(where, { workingDir: "/workspace/other", stdin: "too" })).toMatchObject({
      output: "/workspace/other too",
      file: "other/main.py",
    });
    expect((await beaker.getHistory()).map((run) => `${run.file} ${run.version}`)).toEqual(["task/main.py v1", "other/main.py v1"]);
    expect((await beaker.rollbackTo("v1", "task/main.py")).file).toBe("task/main.py");
    expect((await beaker.run(undefined, { inputData: "back" })).output).toBe("/workspace/task back");
    expect(await beaker.repeat("import os\nassert os.getcwd() == '/workspace/task'", 3)).toMatchObject({ successRate: 100 });
    await expect(beaker.run(where, { workingDir: "/etc" })).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: expect.stringMatching(/workingDir "\/etc" resolves to \/etc, outside \/workspace/),
    });
    await beaker.close();
  });

  it("gives a failed run's errorInfo and its full trace as text, frames beside it", async () => {
    const beaker = lab.beaker("python");
    const result = await beaker.run("def divide(a):\n    return a / 0\n\ndivide(1)\n");
    expect(result.errorInfo).toEqual({
      type: "ZeroDivisionError",
      message: expect.stringMatching(/division by zero/),
      location: { path: "main.py", line: 2, column: expect.any(Number) },
      frames: result.stackFrames,
    });
    expect(result.stackFrames.map((frame) => frame.line)).toEqual([4, 2]);
    expect(result.stackTrace).toMatch(
      /^Traceback \(most recent call last\):\n[\s\S]*line 4, in <module>[\s\S]*line 2, in divide[\s\S]*ZeroDivisionError: division by zero$/,
    );
    expect(await beaker.run("print('fine')")).toMatchObject({ errorInfo: null, stackTrace: null, stackFrames: [] });
    await beaker.close();
  });

  it("runs a runtime registered as a class, asking it for the command lines of each file it runs", async () => {
    class CheckedShell extends BaseRuntime {
      override entryFile = "main.sh";
      getRunCommand(entry: string) {
        return ["sh", entry, "ran"];
      }
      override getCompileCommand(entry: string) {
        return ["sh", "-n", entry];
      }
    }
    RuntimeRegistry.register("class-shell", CheckedShell);
    const beaker = lab.beaker("class-shell");
    expect(await beaker.run('echo "$0 $1"')).toMatchObject({ success: true, output: "/workspace/main.sh ran" });
    expect(await beaker.run('echo "$0 $1"', { workingDir: "tool", file: "go.sh" })).toMatchObject({
      success: true,
      output: "/workspace/tool/go.sh ran",
    });
    expect(await beaker.run("if then fi")).toMatchObject({ success: false, status: "CompilationError" });
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
