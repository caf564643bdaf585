import { describe, expect, it } from "vitest";
import type { HistoryListResult } from "../../contract/protocol/history";
import type { SessionJudgeResult } from "../../contract/protocol/judge";
import type { SessionCreateResult } from "../../contract/protocol/session";
import { useHost } from "./helpers";

/**
 * Each program reads two numbers and prints their sum; the words "loop", "crash" and "mem" make it loop
 * forever, throw, or hold ~150 MB. The cases cover every verdict, each case in its own run.
 */
const programs = {
  python: {
    code: [
      "import sys",
      "words = sys.stdin.read().split()",
      "if words[0] == 'loop':",
      "    while True: pass",
      "if words[0] == 'crash':",
      "    raise ValueError('bad input')",
      "if words[0] == 'flood':",
      "    while True: print('x' * 1000)",
      "if words[0] == 'mem':",
      "    held = b'x' * (150 * 1024 * 1024)",
      "    sys.exit(0)",
      "print(int(words[0]) + int(words[1]))",
      "",
    ].join("\n"),
    broken: "print(\n",
    crashLine: 6,
  },
  java: {
    code: [
      "import java.util.Scanner;",
      "public class Main {",
      "  public static void main(String[] args) {",
      '    String[] words = new Scanner(System.in).useDelimiter("\\\\A").next().trim().split("\\\\s+");',
      '    if (words[0].equals("loop")) while (true) {}',
      '    if (words[0].equals("crash")) throw new IllegalStateException("bad input");',
      '    if (words[0].equals("flood")) while (true) System.out.println("x".repeat(1000));',
      '    if (words[0].equals("mem")) { byte[] held = new byte[150 << 20]; java.util.Arrays.fill(held, (byte) 1); return; }',
      "    System.out.println(Integer.parseInt(words[0]) + Integer.parseInt(words[1]));",
      "  }",
      "}",
      "",
    ].join("\n"),
    broken: 'public class Main { public static void main(String[] args) { int x = "text"; } }\n',
    crashLine: 6,
  },
  typescript: {
    code: [
      "const words: string[] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/);",
      "if (words[0] === 'loop') while (true) {}",
      "let held: Buffer | undefined;",
      "if (words[0] === 'crash') throw new Error('bad input');",
      // Each write waits for the last to drain: a tight loop would queue them in memory until V8's heap ran out.
      "const flood = (): boolean => process.stdout.write('x'.repeat(1000) + '\\n', flood);",
      "if (words[0] === 'flood') flood();",
      "if (words[0] === 'mem') held = Buffer.alloc(150 << 20, 1);",
      "else if (words[0] !== 'flood') console.log(Number(words[0]) + Number(words[1]));",
      "",
    ].join("\n"),
    broken: "const n: number = 'text';\nconsole.log(n);\n",
    crashLine: 4,
  },
} as const;

const cases = [
  { name: "adds", stdin: "2 40", expectedOutput: "42\n" },
  { name: "adds negatives", stdin: "-1 -2", expectedOutput: "-3" },
  { name: "wrong", stdin: "1 1", expectedOutput: "3\n" },
  { name: "loops", stdin: "loop", expectedOutput: "", timeoutMs: 2000 },
  { name: "crashes", stdin: "crash", expectedOutput: "" },
  { name: "holds memory", stdin: "mem", memoryLimitMB: 100 },
  { name: "floods", stdin: "flood", expectedOutput: "" },
  { name: "after the failures", stdin: "20 22", expectedOutput: "42" },
];

describe("session.judge: one program, many cases, a verdict each", () => {
  const host = useHost();
  const call = <T>(method: string, params: unknown, notify = (_method: string, _params: any) => {}) =>
    host().dispatcher.call(method, params, { notify }) as Promise<T>;

  for (const [language, program] of Object.entries(programs)) {
    it(`${language}: compiles once, then gives each case its verdict`, async () => {
      const workspace = `judge-${language}`;
      const { sessionId } = await call<SessionCreateResult>("session.create", {
        language,
        workspace,
        memoryLimitMB: 1024,
        outputLimitBytes: 64 << 10,
      });
      const heard: Array<{ method: string; params: any }> = [];
      const result = await call<SessionJudgeResult>(
        "session.judge",
        { sessionId, code: program.code, cases, runId: `judge-${language}` },
        (method, params) => heard.push({ method, params }),
      );

      expect(result.verdicts.map((verdict) => [verdict.name, verdict.status])).toEqual([
        ["adds", "Accepted"],
        ["adds negatives", "Accepted"],
        ["wrong", "WrongAnswer"],
        ["loops", "TimeLimitExceeded"],
        ["crashes", "RuntimeError"],
        ["holds memory", "MemoryLimitExceeded"],
        ["floods", "OutputLimitExceeded"],
        ["after the failures", "Accepted"],
      ]);
      expect(result.status).toBe("WrongAnswer");
      expect(result.summary).toMatchObject({ passed: 3, failed: 5, total: 8 });
      const [, , wrong, , crashed, held] = result.verdicts;
      expect(wrong).toMatchObject({ stdout: "2\n", expectedOutput: "3\n" });
      expect(wrong!.diff).toMatch(/^line 1: expected "3", got "2"\n/);
      expect(crashed!.diagnostics[0]).toMatchObject({ line: program.crashLine, severity: "error" });
      expect(crashed!.error).toMatch(/^RuntimeError/);
      expect(held!.error).toMatch(/peak memory, \d+\.\d MB, is over this case's 100 MB/);
      expect(held!.metrics.peakMemoryBytes).toBeGreaterThan(100 << 20);

      // Compiled once (where the language compiles), run once per case.
      const stages = heard.filter((n) => n.method === "run.stage").map((n) => n.params.stage);
      expect(stages.filter((stage) => stage === "run")).toHaveLength(cases.length);
      expect(stages.filter((stage) => stage === "compile")).toHaveLength(language === "python" ? 0 : 1);
      expect(result.compile === null).toBe(language === "python");
      expect(heard.filter((n) => n.method === "judge.case").map((n) => [n.params.index, n.params.verdict.status])).toEqual(
        result.verdicts.map((verdict, index) => [index, verdict.status]),
      );

      // Each case is a run in the history, marked with its case.
      const history = await call<HistoryListResult>("history.list", { workspace });
      expect(history.runs.map((run) => [run.case, run.status]).reverse()).toEqual([
        ["adds", "Success"],
        ["adds negatives", "Success"],
        ["wrong", "Success"],
        ["loops", "TimeLimitExceeded"],
        ["crashes", "RuntimeError"],
        ["holds memory", "Success"],
        ["floods", "OutputLimitExceeded"],
        ["after the failures", "Success"],
      ]);
      await call("session.close", { sessionId });
    });

    if (language !== "python") {
      it(`${language}: a compile error is the whole answer, and no case runs`, async () => {
        const { sessionId } = await call<SessionCreateResult>("session.create", { language });
        const heard: string[] = [];
        const result = await call<SessionJudgeResult>(
          "session.judge",
          { sessionId, code: program.broken, cases: cases.slice(0, 2), runId: `broken-${language}` },
          (method, params) => method === "run.stage" && heard.push(params.stage),
        );
        expect(result).toMatchObject({ status: "CompilationError", verdicts: [], summary: { passed: 0, failed: 2, total: 2 } });
        expect(result.compile!.status).toBe("CompilationError");
        expect(result.diagnostics[0]).toMatchObject({ line: 1, severity: "error" });
        expect(heard).toEqual(["compile"]);
        await call("session.close", { sessionId });
      });
    }
  }

  it("run.stop stops the case running and skips the rest, which are Cancelled", async () => {
    const { sessionId } = await call<SessionCreateResult>("session.create", { language: "python" });
    const code = "import sys, time\nif sys.stdin.read().strip() == 'wait':\n    time.sleep(600)\nprint('ok')\n";
    const runId = "judge-to-stop";
    const judged = call<SessionJudgeResult>(
      "session.judge",
      { sessionId, code, runId, cases: [{ stdin: "go", expectedOutput: "ok" }, { stdin: "wait", timeoutMs: 600_000 }, { stdin: "go" }] },
      (method, params) => {
        // The second case has started once the first has its verdict: stop it.
        if (method === "judge.case" && params.index === 0) void call("run.stop", { runId });
      },
    );
    const result = await judged;
    expect(result.verdicts.map((verdict) => verdict.status)).toEqual(["Accepted", "Cancelled", "Cancelled"]);
    expect(result.verdicts[2]!.error).toBe("Cancelled: not run, the judge was stopped");
    await call("session.close", { sessionId });
  });

  it("judges a file already in /workspace, in a nested folder, comparing numbers within a tolerance", async () => {
    const { sessionId } = await call<SessionCreateResult>("session.create", { language: "python" });
    await call("workspace.sync", {
      sessionId,
      write: [{ path: "tasks/area/solve.py", content: "r = float(input())\nprint(3.14159265 * r * r)\n" }],
    });
    const result = await call<SessionJudgeResult>("session.judge", {
      sessionId,
      path: "tasks/area/solve.py",
      compare: 1e-4,
      cases: [
        { stdin: "1", expectedOutput: "3.1416" },
        { stdin: "2", expectedOutput: "12.566" },
        { stdin: "2", expectedOutput: "12.6" },
      ],
    });
    expect(result.verdicts.map((verdict) => [verdict.name, verdict.status])).toEqual([
      ["case 1", "Accepted"],
      ["case 2", "Accepted"],
      ["case 3", "WrongAnswer"],
    ]);
    await call("session.close", { sessionId });
  });

  it("under gVisor, a case out of memory ends the sandbox: that case says so, the rest are not run", async (test) => {
    const gvisor = await host().isolations.byKind("gvisor").available();
    const required = (process.env.CODEBEAKER_REQUIRE_ISOLATION ?? "").split(",").includes("gvisor");
    if (!gvisor.ok && !required) return test.skip(gvisor.reason);
    const { sessionId } = await call<SessionCreateResult>("session.create", {
      language: "python",
      isolation: "gvisor",
      memoryLimitMB: 128,
    });
    const code = "import sys\nif sys.stdin.read().strip() == 'hog':\n    held = [b'x' * (1 << 20) for _ in range(1024)]\nprint('ok')\n";
    const result = await call<SessionJudgeResult>("session.judge", {
      sessionId,
      code,
      cases: [
        { stdin: "small", expectedOutput: "ok" },
        { stdin: "hog", expectedOutput: "ok" },
        { stdin: "small", expectedOutput: "ok" },
      ],
    });
    expect(result.verdicts.map((verdict) => verdict.status)).toEqual(["Accepted", "MemoryLimitExceeded", "Cancelled"]);
    expect(result.verdicts[2]!.error).toMatch(/^Cancelled: not run, the session ended/);
    await call("session.close", { sessionId }).catch(() => undefined); // it has ended: closing it is a no-op or SessionEnded
  });

  it("refuses a case's memory limit above the session's, and a path that is not there, naming them", async () => {
    const { sessionId } = await call<SessionCreateResult>("session.create", { language: "python", memoryLimitMB: 256 });
    await expect(
      call("session.judge", { sessionId, code: "print(1)", cases: [{ stdin: "" }, { stdin: "", memoryLimitMB: 512 }] }),
    ).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining("cases[1].memoryLimitMB: 512 MB is more than the session's 256 MB"),
    });
    await expect(call("session.judge", { sessionId, path: "nope/missing.py", cases: [{ stdin: "" }] })).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining("path: /workspace/nope/missing.py does not exist"),
    });
    await call("session.close", { sessionId });
  });
});
