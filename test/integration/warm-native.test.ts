import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { SessionExecuteResult } from "../../contract/protocol/session";
import { RuntimeRegistry } from "../../contract/runtimes/registry";
import { WARM_PATH } from "../../host/runtimes/warm-folder";
import type { Session } from "../../host/sessions/session";
import { createSession, execute, useHost } from "./helpers";

/**
 * The warm parts of Go, Rust and C# (runtimes/<language>/warm, docs/WARM.md), end to end, for every version: each
 * program of test/fixtures/warm-native/<language> runs in a warm session and in a cold one (`warm: false`), and the
 * answers must be the same (status, exit code, stdout, stderr, diagnostics) while the warm part served. Then what
 * only a warm session risks: a compile error after a good compile must run nothing (no stale binary), and run 2 of
 * the language's leak programs (runtimes/<language>/warm-leak-{1,2}) must see nothing of run 1.
 *
 * Go's warm part is a compile line (go-build), not a process: that it compiled directly shows in the session's build
 * cache, which it leaves untouched; a program it leaves to go build (its own module, a package) finds the cache
 * seeded from the image's standard library.
 */
const ROOT = join(__dirname, "..", "..");
const FIXTURES = join(ROOT, "test", "fixtures", "warm-native");
const LANGUAGES = ["go", "rust", "csharp"];
const GO_CACHE = "/tmp/.cache/go-build";

const runtimes = RuntimeRegistry.builtIn()
  .allVersions()
  .filter((runtime) => LANGUAGES.includes(runtime.manifest.language));

/** Every file under a folder, by path relative to it. */
function filesOf(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesOf(path).map((file) => posix.join(name, file)) : [name];
  });
}

/** What is the same in a warm and a cold answer: everything but times and whether a warm part served. */
function outcome(answer: SessionExecuteResult) {
  const { status, exitCode, stdout, stderr, diagnostics, errorType } = answer;
  return { status, exitCode, stdout, stderr, diagnostics, errorType };
}

/** What must hold of each case's answer besides being the same warm and cold, so that a broken case cannot pass. */
const EXPECTED: Record<string, (answer: SessionExecuteResult, entry: string) => void> = {
  pass: (answer) => {
    expect(answer).toMatchObject({ status: "Success", exitCode: 0 });
    expect(answer.stdout).toMatch(/^hello from /);
  },
  panic: (answer) => {
    expect(answer).toMatchObject({ status: "RuntimeError" });
    expect(answer.stdout).toMatch(/^before the /);
    expect(answer.diagnostics.map((diagnostic) => diagnostic.path)).toContainEqual(expect.stringMatching(/^panic\/src\/app\/util\.\w+$/i));
  },
  "compile-error": (answer, entry) => {
    expect(answer.status).toBe("CompilationError");
    expect(answer.stages?.run).toBeFalsy();
    expect(answer.diagnostics.filter((diagnostic) => diagnostic.severity === "error").map((diagnostic) => diagnostic.path)).toContain(
      `compile-error/${entry}`,
    );
  },
  exit3: (answer) => {
    expect(answer.exitCode).toBe(3);
    expect(answer.stdout).toBe("leaving with 3\n");
  },
  stdin: (answer) => {
    expect(answer).toMatchObject({ status: "Success", stdout: "echo: first line\necho: second line\n" });
  },
  // C# only: the resident mcs keeps the referenced assemblies between compiles (runtimes/csharp/warm/mcs-references.cs).
  framework: (answer) => {
    expect(answer).toMatchObject({ status: "Success", stdout: "framework: a,b xml example.com 42\n" });
  },
  "reference-errors": (answer) => {
    expect(answer.status).toBe("CompilationError");
    expect(answer.stdout + answer.stderr).toMatch(/CS0104/);
    expect(answer.stdout + answer.stderr).toMatch(/CS0012/);
  },
};

describe.each(runtimes.map((runtime) => ({ name: `${runtime.manifest.language} ${runtime.manifest.version}`, runtime })))(
  "warm $name: the same answers as cold",
  ({ runtime }) => {
    const host = useHost({ warmPoolSize: 0 });
    const { language, version, entryFile, extensions, testProgram, warm: parts } = runtime.manifest;
    const cases = readdirSync(join(FIXTURES, language));
    const leak = [1, 2].map((run) => readFileSync(join(ROOT, "runtimes", language, `warm-leak-${run}${extensions[0]}`), "utf8"));
    let warm: Session;
    let cold: Session;

    /** Whether the warm parts served: the resident compiler and the launcher where the language has them. */
    const served = (answer: SessionExecuteResult) => ({
      compile: parts?.compiler ? answer.stages?.compile?.warm : undefined,
      run: parts?.launcher && answer.stages?.run ? answer.stages.run.warm : undefined,
    });
    const allServed = (answer: SessionExecuteResult) => ({
      compile: parts?.compiler ? true : undefined,
      run: parts?.launcher && answer.stages?.run ? true : undefined,
    });
    /** Go's session cache: absent while every compile went through go-build's direct path. */
    const goCache = async (session: Session) =>
      (
        await execute(session, {
          type: "execute_shell",
          commandName: "sh",
          args: ["-c", `test -e ${GO_CACHE} && echo there || echo absent`],
        })
      ).stdout.trim();

    async function run(session: Session, name: string): Promise<SessionExecuteResult> {
      const folder = join(FIXTURES, language, name);
      const files = filesOf(folder);
      for (const file of files.filter((file) => file !== "stdin.txt")) {
        await execute(session, { type: "write_file", path: `${name}/${file}`, content: readFileSync(join(folder, file), "utf8") });
      }
      const entry = files.find((file) => posix.basename(file) === entryFile)!;
      const stdin = files.includes("stdin.txt") ? readFileSync(join(folder, "stdin.txt"), "utf8") : undefined;
      return execute(session, { type: "run_file", path: `${name}/${entry}`, ...(stdin === undefined ? {} : { stdin }) });
    }

    beforeAll(async () => {
      const params = { language, version, timeoutMs: 30_000 };
      [warm, cold] = await Promise.all([createSession(host(), params), createSession(host(), { ...params, warm: false })]);
      // The session's first run may come before its warm parts are up; the cases are about the runs after it.
      const first = await execute(warm, { type: "execute_code", code: readFileSync(join(runtime.directory, testProgram), "utf8") });
      expect(first.stdout.trim()).toBe("OK");
    });

    it.each(cases)("%s", async (name) => {
      const [warmAnswer, coldAnswer] = [await run(warm, name), await run(cold, name)];
      expect(outcome(warmAnswer)).toEqual(outcome(coldAnswer));
      const entry = filesOf(join(FIXTURES, language, name)).find((file) => posix.basename(file) === entryFile)!;
      EXPECTED[name]!(warmAnswer, entry);
      expect(served(warmAnswer)).toEqual(allServed(warmAnswer));
      if (language === "go") expect(await goCache(warm)).toBe("absent");
    });

    it("never runs the previous binary: a compile error after a good compile runs nothing", async () => {
      const good = readFileSync(join(FIXTURES, language, "pass", entryFile), "utf8");
      const broken = readFileSync(join(FIXTURES, language, "compile-error", entryFile), "utf8");
      const first = await execute(warm, { type: "execute_code", code: good, fileName: entryFile });
      expect(first.status).toBe("Success");
      const second = await execute(warm, { type: "execute_code", code: broken, fileName: entryFile });
      expect(second.status).toBe("CompilationError");
      expect(second.stages?.run).toBeFalsy();
      expect(second.stdout).not.toContain(first.stdout.trim());
      expect(served(second).compile).toBe(parts?.compiler ? true : undefined);
    });

    it("leaves nothing of run 1 to run 2 but its files (runtimes/<language>/warm-leak-1, -2)", async () => {
      const first = await execute(warm, { type: "execute_code", code: leak[0]! });
      expect(first.stdout).toMatch(/^dirty/);
      const second = await execute(warm, { type: "execute_code", code: leak[1]! });
      expect(second.stdout).toBe("clean\n");
      expect(served(second)).toEqual(allServed(second));
    });

    it.runIf(language === "go")("leaves a module to go build, with the session's cache seeded from the image", async () => {
      const params = { language, version, timeoutMs: 30_000 };
      const [fresh, freshCold] = await Promise.all([createSession(host(), params), createSession(host(), { ...params, warm: false })]);
      try {
        const moduleFiles = join(FIXTURES, "go-fallback", "module");
        const answers = [];
        for (const session of [fresh, freshCold]) {
          for (const file of filesOf(moduleFiles)) {
            await execute(session, { type: "write_file", path: `module/${file}`, content: readFileSync(join(moduleFiles, file), "utf8") });
          }
          answers.push(await execute(session, { type: "run_file", path: "module/main.go" }));
        }
        expect(outcome(answers[0]!)).toEqual(outcome(answers[1]!));
        expect(answers[0]).toMatchObject({ status: "Success", stdout: "built by go build, in a module\n" });
        const link = await execute(fresh, {
          type: "execute_shell",
          commandName: "sh",
          args: ["-c", `readlink "$(find ${GO_CACHE} -type l | head -n 1)"`],
        });
        expect(link.stdout).toMatch(new RegExp(`^${WARM_PATH}/go-cache/`));
      } finally {
        await Promise.all([host().sessions.close(fresh.id, "test over"), host().sessions.close(freshCold.id, "test over")]);
      }
    });

    it.runIf(language === "go")(
      "leaves a program that imports a package to go build, which builds it with the package",
      async () => {
        const code = readFileSync(join(FIXTURES, "go-fallback", "package", "main.go"), "utf8");
        const params = { language, version, packages: ["github.com/google/uuid@v1.6.0"], timeoutMs: 60_000 };
        const [withPackage, withPackageCold] = await Promise.all([
          createSession(host(), params),
          createSession(host(), { ...params, warm: false }),
        ]);
        try {
          const [answer, coldAnswer] = [
            await execute(withPackage, { type: "execute_code", code }),
            await execute(withPackageCold, { type: "execute_code", code }),
          ];
          expect(outcome(answer)).toEqual(outcome(coldAnswer));
          expect(answer, answer.stderr).toMatchObject({ status: "Success", stdout: "VERSION_1 true\n" });
          expect(await goCache(withPackage)).toBe("there");
        } finally {
          await Promise.all([host().sessions.close(withPackage.id, "test over"), host().sessions.close(withPackageCold.id, "test over")]);
        }
      },
      600_000,
    );
  },
);

// The fixtures' folders are the cases: a folder without an expectation would pass on sameness alone.
it("has an expectation for every fixture case", () => {
  for (const language of LANGUAGES) expect(readdirSync(join(FIXTURES, language)).filter((name) => !EXPECTED[name])).toEqual([]);
});
