import { afterAll, describe, expect, it } from "vitest";
import { BaseRuntime, Beaker, Lab, RuntimeRegistry, type ErrorInfo, type RunResult, type RuntimeConfig } from "../../host/library";
import { containersOwnedBy } from "./helpers";

/**
 * Every example of the library's seed README (/work/shared/seeds/000_…, Python), translated call by call to
 * TypeScript — snake_case to camelCase, keyword arguments to an options object — and run on the real engine.
 * Each test quotes the seed's lines it translates; where the seed leaves a function to the reader
 * (`agent.generate`, `grade`), a small one stands in.
 */
describe("the seed README's examples, in TypeScript", () => {
  afterAll(async () => {
    // Every example closes its beakers: the default lab has ended, and nothing is left on the engine.
    expect(await containersOwnedBy()).toEqual([]);
  });

  it("기본 사용법: Beaker(language='python'), run, output, duration_ms, success", async () => {
    const beaker = new Beaker({ language: "python" });
    const result = await beaker.run(`
def factorial(n):
    return 1 if n <= 1 else n * factorial(n-1)
print(factorial(5))
`);
    expect(result.output).toBe("120");
    expect(result.durationMs).toBeGreaterThan(0);
    expect(result.success).toBe(true);
    await beaker.close();
  });

  it("리소스 제한과 함께: memory_limit='256m', timeout=30, network_enabled=False", async () => {
    const beaker = new Beaker({ language: "javascript", memoryLimit: "256m", timeout: 30, networkEnabled: false });
    const result = await beaker.run("console.log('Hello World')");
    expect(result).toMatchObject({ success: true, output: "Hello World" });
    await beaker.close();
  });

  it("AI 에이전트: run generated code, use its output or handle result.error_message", async () => {
    const agent = {
      generate: (request: string) =>
        request.includes("피보나치") ? "def fib(n):\n    return n if n < 2 else fib(n-1) + fib(n-2)\nprint(fib(10))" : "fib(10",
      used: [] as string[],
      errors: [] as string[],
      use(output: string) {
        this.used.push(output);
      },
      handleError(message: string | null) {
        this.errors.push(message ?? "");
      },
    };
    const beaker = new Beaker({ language: "python" });
    for (const request of ["피보나치 함수를 작성해줘", "something broken"]) {
      const generatedCode = agent.generate(request);
      const result = await beaker.run(generatedCode);
      if (result.success) agent.use(result.output);
      else agent.handleError(result.errorMessage);
    }
    expect(agent.used).toEqual(["55"]);
    expect(agent.errors).toEqual([expect.stringMatching(/SyntaxError/)]);
    await beaker.close();
  });

  it("온라인 코딩 플랫폼: run(user_code, language='python', timeout=5), grade(result.output)", async () => {
    // The platform's beaker is of another language: the per-run language is the one that runs.
    const beaker = new Beaker({ language: "javascript" });
    const userCode = "print(sum(range(1, 11)))";
    const result = await beaker.run(userCode, { language: "python", timeout: 5 });
    const grade = (output: string) => (output === "55" ? 100 : 0);
    expect(grade(result.output)).toBe(100);
    expect(await beaker.run("while True: pass", { language: "python", timeout: 1 })).toMatchObject({ status: "TimeLimitExceeded" });
    await beaker.close();
  });

  it("CI/CD 파이프라인: for test in test_cases: run(code, input_data=test); assert success", async () => {
    const beaker = new Beaker({ language: "python" });
    const code = "a, b = map(int, input().split())\nassert a + b > 0\nprint(a + b)";
    const testCases = ["1 2", "20 22", "0 1"];
    for (const test of testCases) {
      const result = await beaker.run(code, { inputData: test });
      expect(result.success).toBe(true);
    }
    expect((await beaker.run(code, { inputData: "0 0" })).success).toBe(false);
    await beaker.close();
  });

  it("교육 플랫폼: run(student_code, memory_limit='128m'), provide_feedback(result)", async () => {
    const beaker = new Beaker({ language: "python" });
    const feedback: string[] = [];
    const provideFeedback = (result: RunResult) =>
      feedback.push(result.success ? `ok: ${result.output}` : `${result.status} (${result.memoryUsedMb ?? "?"} MB)`);
    // A student's program that holds 200 MB: within the beaker's 512 MB, not within this run's 128 MB.
    const studentCode = "data = b'x' * (200 << 20)\nprint(len(data) >> 20)";
    provideFeedback(await beaker.run(studentCode, { memoryLimit: "128m" }));
    provideFeedback(await beaker.run(studentCode));
    expect(feedback).toEqual([expect.stringMatching(/^MemoryLimitExceeded/), "ok: 200"]);
    await beaker.close();
  });

  it("Self-Improving 시스템: if not success: program = improve(program, result.error_info)", async () => {
    const beaker = new Beaker({ language: "python" });
    const seen: ErrorInfo[] = [];
    // The improver reads error_info: here it fixes the one error it knows, at the line error_info names.
    const improve = (program: string, errorInfo: ErrorInfo | null) => {
      seen.push(errorInfo!);
      const lines = program.split("\n");
      const at = errorInfo!.location!.line - 1;
      if (errorInfo!.type === "ZeroDivisionError") lines[at] = lines[at]!.replace("/ 0", "/ 1");
      return lines.join("\n");
    };
    let program = "n = int(input())\nprint(n / 0)";
    const validationSamples = ["4", "9"];
    for (const sample of validationSamples) {
      const result = await beaker.run(program, { inputData: sample });
      if (!result.success) program = improve(program, result.errorInfo);
    }
    expect(seen).toEqual([
      {
        type: "ZeroDivisionError",
        message: expect.stringMatching(/division by zero/),
        location: { path: "main.py", line: 2, column: expect.any(Number) },
        frames: expect.any(Array),
      },
    ]);
    expect((await beaker.run(program, { inputData: "9" })).output).toBe("9.0");
    await beaker.close();
  });

  it("코드 벤치마킹: stats = beaker.repeat(implementation, times=100); stats.avg_duration_ms", async () => {
    const beaker = new Beaker({ language: "python" });
    const implementations = ["print(sum(range(10000)))", "print(10000 * 9999 // 2)"];
    for (const implementation of implementations) {
      const stats = await beaker.repeat(implementation, 100);
      expect(stats).toMatchObject({ times: 100, successRate: 100 });
      expect(stats.avgDurationMs).toBeGreaterThan(0);
    }
    await beaker.close();
  });

  it("설정: RuntimeConfig(version, memory_limit, cpu_limit, timeout, network_enabled, working_dir, packages)", async () => {
    const config: RuntimeConfig = {
      version: "3.11",
      memoryLimit: "512m",
      cpuLimit: 1.0,
      timeout: 60,
      networkEnabled: false,
      workingDir: "/workspace",
      packages: ["numpy", "pandas"],
    };
    const beaker = new Beaker({ language: "python", config });
    const pypi = await fetch("https://pypi.org/simple/numpy/", { signal: AbortSignal.timeout(15_000) }).then(
      (response) => response.ok,
      () => false,
    );
    const running = beaker.run("import numpy, pandas, os\nprint(pandas.Series(numpy.arange(5)).sum(), os.getcwd())");
    if (!pypi) {
      // Where the package index cannot be reached, the error says so (see packages.test.ts).
      await expect(running).rejects.toMatchObject({
        name: "CodeBeakerError",
        message: expect.stringMatching(/installing .* with pip for python failed/),
      });
    } else {
      expect(await running).toMatchObject({ success: true, output: "10 /workspace" });
    }
    await beaker.close();
  }, 900_000);

  it("실행 결과: success, output, error, exit_code, duration_ms, memory_used_mb, cpu_percent, error_type, error_location, stack_trace", async () => {
    const beaker = new Beaker({ language: "python" });
    const code = "import sys\nprint('partial')\nprint('warned', file=sys.stderr)\nitems = {}\nitems['missing']\n";
    const result = await beaker.run(code);
    expect(result.success).toBe(false);
    expect(result.output).toBe("partial");
    expect(result.error).toMatch(/^warned\n[\s\S]*KeyError: 'missing'/);
    expect(result.exitCode).toBe(1);
    expect(result.durationMs).toBeGreaterThan(0);
    expect(result.memoryUsedMb).toBeGreaterThan(0);
    expect(result.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(result.errorType).toBe("KeyError");
    expect(result.errorLocation).toMatchObject({ path: "main.py", line: 5 });
    expect(result.stackTrace).toMatch(/Traceback \(most recent call last\):[\s\S]*line 5, in <module>[\s\S]*KeyError: 'missing'$/);
    await beaker.close();
  });

  it("버저닝 & 이력 관리: run v1, v2; get_history; rollback_to('v1'); restore_last_success()", async () => {
    const beaker = new Beaker({ language: "python" });
    const codeV1 = "print('v1 works')";
    const codeV2 = "print('v2 breaks' +)";
    const result1 = await beaker.run(codeV1); // v1로 저장
    const result2 = await beaker.run(codeV2); // v2로 저장
    expect([result1.version, result2.version]).toEqual(["v1", "v2"]);
    const history = await beaker.getHistory();
    const lines = history.map((exec) => `${exec.version} - ${exec.status} - ${exec.durationMs}ms`);
    expect(lines).toEqual([expect.stringMatching(/^v1 - Success - [\d.]+ms$/), expect.stringMatching(/^v2 - RuntimeError - [\d.]+ms$/)]);
    expect((await beaker.rollbackTo("v1")).code).toBe(codeV1);
    expect((await beaker.run()).output).toBe("v1 works");
    await beaker.run(codeV2);
    expect((await beaker.restoreLastSuccess()).code).toBe(codeV1);
    expect((await beaker.run()).output).toBe("v1 works");
    await beaker.close();
  });

  it("병렬 실행: Lab().run_parallel([('python', code1), ('csharp', code2), ('javascript', code3)])", async () => {
    const lab = new Lab();
    const code1 = "print('from python')";
    const code2 = 'class Program { static void Main() { System.Console.WriteLine("from csharp"); } }';
    const code3 = "console.log('from javascript')";
    const results = await lab.runParallel([
      ["python", code1],
      ["csharp", code2],
      ["javascript", code3],
    ]);
    expect(results.map((result) => result.output)).toEqual(["from python", "from csharp", "from javascript"]);
    await lab.close();
  }, 300_000);

  it("커스텀 런타임: class MyRuntime(BaseRuntime): get_run_command(entry); RuntimeRegistry.register('mylang', MyRuntime)", async () => {
    class MyRuntime extends BaseRuntime {
      getRunCommand(entry: string) {
        return ["my-interpreter", entry];
      }
    }
    RuntimeRegistry.register("mylang", MyRuntime);
    expect(RuntimeRegistry.languages()).toContain("mylang");
    // The seed's my-interpreter is a stand-in: the image has none, and the run says that is what it ran.
    const beaker = new Beaker({ language: "mylang" });
    const result = await beaker.run("anything");
    expect(result.success).toBe(false);
    expect(`${result.errorMessage}`).toMatch(/my-interpreter/);
    await beaker.close();
    // With an interpreter the image has, the same class runs the code.
    class ShellRuntime extends BaseRuntime {
      getRunCommand(entry: string) {
        return ["sh", entry];
      }
    }
    RuntimeRegistry.register("mylang", ShellRuntime);
    const shell = new Beaker({ language: "mylang" });
    expect((await shell.run("echo $((6 * 7))")).output).toBe("42");
    await shell.close();
  });

  it("모니터링 훅: beaker.on('start', on_start); beaker.on('complete', on_complete)", async () => {
    const beaker = new Beaker({ language: "python" });
    const printed: string[] = [];
    const onStart = (execution: { id: string }) => printed.push(`실행 시작: ${execution.id}`);
    const onComplete = (result: RunResult) => printed.push(`완료: ${result.durationMs}ms`);
    beaker.on("start", onStart);
    beaker.on("complete", onComplete);
    const result = await beaker.run("print('hooked')");
    expect(printed).toEqual([`실행 시작: ${result.id}`, `완료: ${result.durationMs}ms`]);
    await beaker.close();
  });

  it("반복 실행 및 통계: experiment = beaker.prepare(code); stats = experiment.repeat(times=100)", async () => {
    const beaker = new Beaker({ language: "python" });
    const code = "print(sorted(range(1000, 0, -1))[0])";
    const experiment = beaker.prepare(code);
    const stats = await experiment.repeat(100);
    expect(stats.successRate).toBe(100);
    expect(stats.avgDurationMs).toBeGreaterThan(0);
    expect(stats.stdDurationMs).toBeGreaterThanOrEqual(0);
    await beaker.close();
  });
});
