import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { StageResult } from "../../contract/protocol/results";
import type { SessionExecuteResult } from "../../contract/protocol/session";
import { RuntimeRegistry } from "../../contract/runtimes/registry";
import type { Session } from "../../host/sessions/session";
import { createSession, execute, useHost } from "./helpers";

/**
 * The Node.js warm parts (runtimes/javascript/warm, runtimes/typescript/warm) in the real images, through sessions:
 * each program of test/fixtures/warm-node gives, in a warm session (served by the launcher, and for TypeScript the
 * resident tsc), the stages (output, exit code, status), diagnostics and status a cold session gives. That covers a
 * passing program, an uncaught error in a nested file (its stack on the right line, through source maps for
 * TypeScript), a type error, a syntax error, process.exit(3) and stdin.
 */
const FIXTURES = join(__dirname, "..", "fixtures", "warm-node");
const STDIN: Record<string, string> = { "stdin-echo": "typed in\n" };

/** Every file of a fixture folder, by path relative to it. */
function filesOf(folder: string): Array<{ path: string; content: string }> {
  return (readdirSync(folder, { recursive: true }) as string[])
    .filter((name) => statSync(join(folder, name)).isFile())
    .map((name) => ({ path: relative(folder, join(folder, name)), content: readFileSync(join(folder, name), "utf8") }));
}

/** Every version of javascript and typescript. */
const runtimes = RuntimeRegistry.builtIn()
  .allVersions()
  .filter((runtime) => ["javascript", "typescript"].includes(runtime.manifest.language));

describe.each(runtimes.map((runtime) => ({ name: `${runtime.manifest.language} ${runtime.manifest.version}`, runtime })))(
  "warm $name: the cold run's answer",
  ({ runtime }) => {
    const host = useHost();
    const { language, version, extensions, warm: parts } = runtime.manifest;
    const folder = join(FIXTURES, language === "typescript" ? "ts-programs" : "programs");
    const files = filesOf(folder);
    /** The programs: the folder's top-level files of the language (the others are what they import). */
    const programs = files.filter((file) => !file.path.includes("/") && extensions.includes(extname(file.path))).map((file) => file.path);
    let warm: Session;
    let cold: Session;

    beforeAll(async () => {
      const params = { language, version };
      [warm, cold] = await Promise.all([createSession(host(), params), createSession(host(), { ...params, warm: false })]);
      for (const session of [warm, cold]) {
        for (const file of files)
          expect((await execute(session, { type: "write_file", path: file.path, content: file.content })).success).toBe(true);
      }
    });

    it("declares a launcher (and, for TypeScript, a resident compiler)", () => {
      expect(parts?.launcher).toBeDefined();
      if (language === "typescript") expect(parts?.compiler).toBeDefined();
    });

    it.each(programs)("%s", async (program) => {
      const stdin = STDIN[program.slice(0, -extname(program).length)];
      const run = (session: Session) => execute(session, { type: "run_file", path: program, ...(stdin === undefined ? {} : { stdin }) });
      const warmed = await run(warm);
      const coldRun = await run(cold);
      expect(answerOf(warmed)).toEqual(answerOf(coldRun));
      // Each stage a warm part can serve was served by it: the run (when there was one), the compile.
      if (parts?.compiler) expect(warmed.stages?.compile?.warm).toBe(true);
      if (warmed.stages?.run) expect(warmed.stages.run.warm).toBe(true);
      expect(Object.values(coldRun.stages ?? {}).map((stage) => stage?.warm)).not.toContain(true);
    });
  },
);

/** What a program's user sees of a run: all of it but times, memory and whether it was warm. */
function answerOf(result: SessionExecuteResult) {
  const stage = (s: StageResult | undefined) =>
    s && {
      status: s.status,
      exitCode: s.exitCode,
      signal: s.signal,
      stdout: s.stdout,
      stderr: s.stderr,
      truncated: [s.stdoutTruncated, s.stderrTruncated],
    };
  return {
    status: result.status,
    exitCode: result.exitCode,
    stdout: result.stdout,
    stderr: result.stderr,
    diagnostics: result.diagnostics,
    errorType: result.errorType,
    compile: stage(result.stages?.compile ?? undefined),
    run: stage(result.stages?.run ?? undefined),
  };
}
