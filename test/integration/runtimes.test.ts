import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RuntimeRegistry } from "../../contract/runtimes/registry";
import type { Session } from "../../host/sessions/session";
import { containersOf, createSession, execute, useHost } from "./helpers";

/**
 * One program per language that fails in the way that language most often does: what it must say, and where
 * the diagnostics must place it (file under /workspace, line, error code).
 */
const failures: Record<string, { code: string; status: string; says: RegExp; at: { path: string; line: number; code: string } }> = {
  python: {
    code: "x = 1\ny = 0\nprint(x / y)\n",
    status: "RuntimeError",
    says: /ZeroDivisionError/,
    at: { path: "main.py", line: 3, code: "ZeroDivisionError" },
  },
  javascript: {
    code: "const a = 1;\nnull.boom();\n",
    status: "RuntimeError",
    says: /TypeError/,
    at: { path: "main.js", line: 2, code: "TypeError" },
  },
  typescript: {
    code: 'const n: number = "text";\nconsole.log(n);\n',
    status: "CompilationError",
    says: /TS2322/,
    at: { path: "main.ts", line: 1, code: "TS2322" },
  },
  csharp: {
    code: 'class P {\n  static void Main() {\n    int x = "s";\n  }\n}\n',
    status: "CompilationError",
    says: /CS0029/,
    at: { path: "Program.cs", line: 3, code: "CS0029" },
  },
  go: {
    code: "package main\n\nfunc main() {\n\tundefinedCall()\n}\n",
    status: "CompilationError",
    says: /undefined: undefinedCall/,
    at: { path: "main.go", line: 4, code: "compile" },
  },
  java: {
    code: 'public class Main {\n  public static void main(String[] a) {\n    int x = "s";\n  }\n}\n',
    status: "CompilationError",
    says: /incompatible types/,
    at: { path: "Main.java", line: 3, code: "javac" },
  },
  rust: {
    code: 'fn main() {\n    let x: i32 = "s";\n}\n',
    status: "CompilationError",
    says: /E0308/,
    at: { path: "main.rs", line: 2, code: "E0308" },
  },
  deno: {
    code: "const limit = 3;\nthrow new RangeError('out of range');\n",
    status: "RuntimeError",
    says: /RangeError: out of range/,
    at: { path: "main.ts", line: 2, code: "RangeError" },
  },
};

const registry = RuntimeRegistry.builtIn();
const versions = registry.allVersions().map((runtime) => [`${runtime.manifest.language} ${runtime.manifest.version}`, runtime] as const);

/** Every version folder of runtimes/, in the image its Dockerfile makes: its programs, its typical error. */
describe.each(versions)("%s", (_name, runtime) => {
  const { language, version } = runtime.manifest;
  const host = useHost();
  let session: Session;
  const program = (name: string) => readFileSync(join(runtime.directory, name), "utf8");

  beforeAll(async () => {
    session = await createSession(host(), { language, version, isolation: "docker" });
  });
  afterAll(async () => {
    await host().sessions.close(session.id, "test done");
    expect(await containersOf(session.id)).toEqual([]);
  });

  it("is the version its folder names, and says so", async () => {
    expect(session.createResult()).toMatchObject({ language, version });
    expect(
      host()
        .sessions.list()
        .sessions.find((summary) => summary.sessionId === session.id),
    ).toMatchObject({ language, version });
    // The toolchain in the image says the same version as the folder (the check process isolation runs here).
    const check = runtime.manifest.localToolchain!;
    const answer = await execute(session, { type: "execute_shell", commandName: check.command[0], args: check.command.slice(1) });
    expect(`${answer.stdout}${answer.stderr}`).toMatch(new RegExp(check.matches, "m"));
  });

  it("runs its test program, which prints OK", async () => {
    // (and a clean run reports no diagnostics)
    const answer = await execute(session, { type: "execute_code", code: program(runtime.manifest.testProgram) });
    expect(answer.error).toBeNull();
    expect(answer).toMatchObject({ success: true, result: "OK", status: "Success", exitCode: 0, stdout: "OK\n" });
    expect(answer.stages?.run?.status).toBe("Success");
    expect(Boolean(answer.stages?.compile)).toBe(Boolean(runtime.manifest.compile));
    expect(answer.metrics!.wallMs).toBeGreaterThan(0);
    expect(answer.metrics!.cpuMs).toBeGreaterThan(0);
    expect(answer.metrics!.peakMemoryBytes).toBeGreaterThan(100 * 1024);
    expect(answer.diagnostics).toEqual([]);
    expect(answer.errorType).toBeNull();
  });

  it("runs its feature program, which uses what is new in this version", async () => {
    const answer = await execute(session, { type: "execute_code", code: program(runtime.manifest.featureProgram!) });
    expect({ error: answer.error, stderr: answer.stderr }).toEqual({ error: null, stderr: "" });
    expect(answer).toMatchObject({ success: true, status: "Success", stdout: "OK\n" });
  });

  it("reports its typical error, classified", async () => {
    const failure = failures[language]!;
    const answer = await execute(session, { type: "execute_code", code: failure.code });
    expect(answer.success).toBe(false);
    expect(answer.status).toBe(failure.status);
    expect(answer.error).toMatch(failure.says);
    expect(answer.exitCode).not.toBe(0);
    expect(answer.diagnostics[0]).toMatchObject({ ...failure.at, severity: "error" });
    expect(answer.errorType).toBe(failure.at.code);
    if (failure.status === "CompilationError") {
      expect(answer.stages?.compile?.status).toBe("CompilationError");
      expect(answer.stages?.run).toBeUndefined();
    } else {
      expect(answer.stages?.run?.status).toBe("RuntimeError");
    }
  });
});
