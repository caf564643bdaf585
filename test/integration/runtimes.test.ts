import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RuntimeRegistry } from "../../host/runtimes/registry";
import type { Session } from "../../host/sessions/session";
import { containersOf, createSession, execute, useHost } from "./helpers";

/** One program per language that fails in the way that language most often does, and what it must say. */
const failures: Record<string, { code: string; status: string; says: RegExp }> = {
  python: { code: "x = 1\ny = 0\nprint(x / y)\n", status: "RuntimeError", says: /ZeroDivisionError/ },
  javascript: { code: "const a = 1;\nnull.boom();\n", status: "RuntimeError", says: /TypeError/ },
  typescript: { code: 'const n: number = "text";\nconsole.log(n);\n', status: "CompilationError", says: /TS2322/ },
  csharp: { code: "class P { static void Main() { int x = \"s\"; } }\n", status: "CompilationError", says: /CS0029/ },
  go: { code: "package main\n\nfunc main() {\n\tundefinedCall()\n}\n", status: "CompilationError", says: /undefined: undefinedCall/ },
  java: { code: "public class Main { public static void main(String[] a) { int x = \"s\"; } }\n", status: "CompilationError", says: /incompatible types/ },
  rust: { code: "fn main() {\n    let x: i32 = \"s\";\n}\n", status: "CompilationError", says: /E0308/ },
  deno: { code: "throw new RangeError('out of range');\n", status: "RuntimeError", says: /RangeError: out of range/ },
};

const registry = RuntimeRegistry.builtIn();

describe.each(registry.all().map((runtime) => [runtime.manifest.language, runtime] as const))("%s", (language, runtime) => {
  const host = useHost();
  let session: Session;

  beforeAll(async () => {
    session = await createSession(host(), { language });
  });
  afterAll(async () => {
    await host().sessions.close(session.id, "test done");
    expect(await containersOf(session.id)).toEqual([]);
  });

  it("runs its test program, which prints OK", async () => {
    const code = readFileSync(join(runtime.directory, runtime.manifest.testProgram), "utf8");
    const answer = await execute(session, { type: "execute_code", code });
    expect(answer.error).toBeNull();
    expect(answer).toMatchObject({ success: true, result: "OK", status: "Success", exitCode: 0, stdout: "OK\n" });
    expect(answer.stages?.run?.status).toBe("Success");
    expect(Boolean(answer.stages?.compile)).toBe(Boolean(runtime.manifest.compile));
    expect(answer.metrics!.wallMs).toBeGreaterThan(0);
    expect(answer.metrics!.cpuMs).toBeGreaterThan(0);
    expect(answer.metrics!.peakMemoryBytes).toBeGreaterThan(100 * 1024);
  });

  it("reports its typical error, classified", async () => {
    const failure = failures[language]!;
    const answer = await execute(session, { type: "execute_code", code: failure.code });
    expect(answer.success).toBe(false);
    expect(answer.status).toBe(failure.status);
    expect(answer.error).toMatch(failure.says);
    expect(answer.exitCode).not.toBe(0);
    if (failure.status === "CompilationError") {
      expect(answer.stages?.compile?.status).toBe("CompilationError");
      expect(answer.stages?.run).toBeUndefined();
    } else {
      expect(answer.stages?.run?.status).toBe("RuntimeError");
    }
  });
});
