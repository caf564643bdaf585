import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Session } from "../../host/sessions/session";
import { createSession, execute, useHost } from "./helpers";

/**
 * Python's and Java's warm parts (runtimes/python/warm, runtimes/java/warm; docs/WARM.md) against their cold
 * toolchains, in real sessions: each program of test/fixtures/warm-pyjava runs in a session created with
 * warm: false and in one that keeps its toolchain warm. Every stage's output, exit code and status, and the
 * diagnostics, must be the same, and each warm stage must say a warm part served it.
 */
const FIXTURES = join(__dirname, "..", "fixtures", "warm-pyjava");

interface Case {
  name: string;
  path: string;
  stdin?: string;
}

const python: Case[] = [
  { name: "a passing program", path: "/workspace/passing.py" },
  { name: "an exception raised in a module of src/pkg that src/main.py imports", path: "/workspace/src/main.py" },
  { name: "sys.exit(3)", path: "/workspace/exit3.py" },
  { name: "stdin, echoed", path: "/workspace/echo.py", stdin: "one\ntwo words\n" },
];
const java: Case[] = [
  { name: "a passing program", path: "/workspace/Passing.java" },
  { name: "an exception thrown in a class of the shapes package that Main uses", path: "/workspace/Main.java" },
  { name: "a compile error", path: "/workspace/Broken.java" },
  { name: "System.exit(3)", path: "/workspace/Exit3.java" },
  { name: "stdin, echoed", path: "/workspace/Echo.java", stdin: "one\ntwo words\n" },
];
const rows: Array<[string, string, Case[]]> = [
  ["python", "3.13", python],
  ["python", "3.11", python],
  ["java", "21", java],
  ["java", "25", java],
  ["java", "17", java],
];

/** The fixture files of a language, by their path in /workspace. */
function workspaceFiles(language: string): Array<{ path: string; content: string }> {
  const root = join(FIXTURES, language);
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .map((file) => ({ path: `/workspace/${relative(root, file)}`, content: readFileSync(file, "utf8") }));
}

type Answer = Awaited<ReturnType<typeof execute>>;

/** What a program's user sees of an answer: the outcome, each stage's output, the diagnostics. */
function seen(answer: Answer) {
  const stage = (s: NonNullable<Answer["stages"]>["run"]) =>
    s && { status: s.status, exitCode: s.exitCode, signal: s.signal, stdout: s.stdout, stderr: s.stderr };
  return {
    status: answer.status,
    exitCode: answer.exitCode,
    stdout: answer.stdout,
    stderr: answer.stderr,
    error: answer.error,
    errorType: answer.errorType,
    diagnostics: answer.diagnostics,
    compile: stage(answer.stages?.compile),
    run: stage(answer.stages?.run),
  };
}

describe.each(rows)("%s %s, warm and cold", (language, version, cases) => {
  const host = useHost({ warmPoolSize: 0 });
  let cold: Session;
  let warm: Session;

  beforeAll(async () => {
    cold = await createSession(host(), { language, version, warm: false });
    warm = await createSession(host(), { language, version });
    for (const session of [cold, warm]) {
      for (const file of workspaceFiles(language)) await execute(session, { type: "write_file", ...file });
    }
  }, 900_000);

  it.each(cases)(
    "$name: the same answer",
    async ({ path, stdin }) => {
      const coldAnswer = await execute(cold, { type: "run_file", path, stdin });
      const warmAnswer = await execute(warm, { type: "run_file", path, stdin });
      expect(seen(warmAnswer)).toEqual(seen(coldAnswer));
      const stages = Object.values(warmAnswer.stages ?? {});
      expect(stages.length).toBeGreaterThan(0);
      for (const stage of stages) expect(stage).toMatchObject({ warm: true });
      for (const stage of Object.values(coldAnswer.stages ?? {})) expect(stage).toMatchObject({ warm: false });
    },
    120_000,
  );

  it("runs the program in the launcher's own process, not in a cold toolchain it starts", async () => {
    const [path, yes, no] = language === "python" ? ["/workspace/inside.py", "True", "False"] : ["/workspace/Inside.java", "true", "false"];
    expect((await execute(warm, { type: "run_file", path })).stdout).toBe(`in the launcher: ${yes}\n`);
    expect((await execute(cold, { type: "run_file", path })).stdout).toBe(`in the launcher: ${no}\n`);
  }, 120_000);
});
