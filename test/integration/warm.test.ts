import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunHandle } from "../../host/isolation/backend";
import { Labels } from "../../host/isolation/docker/container-spec";
import { ownerLabel } from "../../host/isolation/docker/owner";
import { Command } from "../../contract/protocol/commands";
import type { SessionExecuteResult } from "../../contract/protocol/session";
import type { Runtime } from "../../contract/runtimes/manifest";
import { loadLanguage, RuntimeRegistry } from "../../contract/runtimes/registry";
import { WARM_PATH } from "../../host/runtimes/warm-folder";
import { executeCommand } from "../../host/commands/execute";
import type { Session } from "../../host/sessions/session";
import { createSession, docker, execute, useHost } from "./helpers";

/**
 * Warm toolchains (docs/WARM.md), end to end through sessions, for every language whose runtimes/ folder declares
 * warm parts (each language's default version), and for a fixture language of this test's own: python with the
 * launcher of test/fixtures/warm, so that the table is never empty. A language with only a warm compile line (no
 * launcher, no compiler) has no stage a warm part serves: its stages must never claim one did. Programs come from files: the runtime's own test
 * program, the language's leak programs (runtimes/<language>/warm-leak-{1,2}.<ext>), and
 * test/fixtures/warm/programs/<language>/.
 */
const ROOT = join(__dirname, "..", "..");
const FIXTURES = join(ROOT, "test", "fixtures", "warm");

/** runtimes/python as the language "warmfixture", with the fixture's launcher and leak programs. */
function fixtureLanguage(base: string): Runtime[] {
  const folder = join(base, "warmfixture");
  cpSync(join(ROOT, "runtimes", "python"), folder, { recursive: true });
  cpSync(join(FIXTURES, "python-launch.py"), join(folder, "warm", "launch.py"));
  for (const run of [1, 2]) cpSync(join(FIXTURES, `warm-leak-${run}.py`), join(folder, `warm-leak-${run}.py`));
  const language = JSON.parse(readFileSync(join(folder, "language.json"), "utf8"));
  const warm = { launcher: ["python3", `${WARM_PATH}/launch.py`] };
  writeFileSync(join(folder, "language.json"), JSON.stringify({ ...language, language: "warmfixture", aliases: [], order: 1000, warm }));
  return loadLanguage(folder);
}

const base = mkdtempSync(join(tmpdir(), "codebeaker-warm-"));
const fixture = fixtureLanguage(base);
afterAll(() => rmSync(base, { recursive: true, force: true }));

interface Case {
  name: string;
  runtime: Runtime;
  /** The folder of its programs under test/fixtures/warm/programs. */
  programs: string;
  /** The folder its leak programs are in. */
  folder: string;
}

const declared = RuntimeRegistry.builtIn()
  .all()
  .filter((runtime) => Object.keys(runtime.manifest.warm ?? {}).length);
const cases: Case[] = [
  {
    name: "warmfixture (python with the test's launcher)",
    runtime: fixture.find((r) => r.manifest.version === "3.13")!,
    programs: "python",
    folder: join(base, "warmfixture"),
  },
  ...declared.map((runtime) => ({
    name: runtime.manifest.language,
    runtime,
    programs: runtime.manifest.language,
    folder: join(ROOT, "runtimes", runtime.manifest.language),
  })),
];

/** A shell listing of the sandbox's processes, one command line each, but for the shell's own. */
const PROCESSES = [
  "sh",
  "-c",
  'for f in /proc/[0-9]*/cmdline; do tr "\\0" " " < "$f"; echo; done | grep -v "^sh -c\\|^tr \\|^grep \\|^$" || true',
];

describe.each(cases)("warm toolchain: $name", ({ runtime, programs, folder }) => {
  const host = useHost();
  const { language, version, warm: parts, extensions, testProgram } = runtime.manifest;
  const extension = extensions[0]!;
  /** The stage a warm part serves: the run's when the language has a launcher, else its compile's, if it has a compiler. */
  const servedStage = parts!.launcher ? "run" : parts!.compiler ? "compile" : undefined;
  /** Whether the stage a warm part serves ran warm; for a language without parts, that no stage claims to have. */
  const served = (answer: SessionExecuteResult) =>
    servedStage ? answer.stages?.[servedStage]?.warm : !Object.values(answer.stages ?? {}).some((stage) => stage?.warm);
  const program = (name: string) => readFileSync(join(FIXTURES, "programs", programs, `${name}${extension}`), "utf8");
  let warm: Session;
  let cold: Session;

  beforeAll(async () => {
    if (language === "warmfixture") host().registry.register(...fixture);
    // The default 512 MB: a cold toolchain (go build's cache in /tmp, a quarter of it) fits; the memory program does not.
    const params = { language, version, outputLimitBytes: 100_000, timeoutMs: 5000 };
    [warm, cold] = await Promise.all([createSession(host(), params), createSession(host(), { ...params, warm: false })]);
  });

  /** The ready sandboxes of this language, from the engine: this host's containers that belong to no session. */
  const spares = async () => {
    const sessions = host()
      .sessions.list()
      .sessions.map((session) => session.sessionId);
    const mine = await docker.listContainers({ filters: { label: [`${Labels.owner}=${ownerLabel()}`, `${Labels.language}=${language}`] } });
    return mine.filter((info) => !sessions.includes(info.Labels[Labels.session]!));
  };
  const code = (session: Session, source: string, extra: Record<string, unknown> = {}) =>
    execute(session, { type: "execute_code", code: source, ...extra });

  it("runs warm from the second run on, with the output and exit code of a cold session", async () => {
    const source = readFileSync(join(runtime.directory, testProgram), "utf8");
    expect(warm.config.warm).toBe(true);
    const first = await code(warm, source);
    const second = await code(warm, source);
    const coldRun = await code(cold, source);
    expect(served(second)).toBe(true);
    const seen = (answer: SessionExecuteResult) => ({ stdout: answer.stdout, exitCode: answer.exitCode, status: answer.status });
    expect(seen(first)).toEqual(seen(coldRun));
    expect(seen(second)).toEqual(seen(coldRun));
    expect(second.stdout.trim()).toBe("OK");
  });

  const leak = [1, 2].map((run) => join(folder, `warm-leak-${run}${extension}`));
  it.runIf(leak.every(existsSync))(
    "leaves nothing of a run to the next but its files: globals, statics, environment, modules",
    async () => {
      const first = await code(warm, readFileSync(leak[0]!, "utf8"));
      expect(first.status).toBe("Success");
      const second = await code(warm, readFileSync(leak[1]!, "utf8"));
      expect(second.stdout).toBe("clean\n");
      expect(served(second)).toBe(true);
    },
  );

  it("ends a warm run at its time limit, with the children it started", async () => {
    const answer = await code(warm, program("sleeper"), { timeoutMs: 1500 });
    expect(answer.status).toBe("TimeLimitExceeded");
    expect(answer.stdout).toBe("started\n");
    expect(served(answer)).toBe(true);
    const left = await execute(warm, { type: "execute_shell", commandName: PROCESSES[0]!, args: PROCESSES.slice(1) });
    expect(left.stdout).not.toMatch(/sleep 300/);
    expect(served(await code(warm, program("echo"), { stdin: "again\n" }))).toBe(true);
  });

  it("holds a warm run to the session's memory limit", async () => {
    const answer = await code(warm, program("memory"));
    expect(answer.status).toBe("MemoryLimitExceeded");
    expect(served(answer)).toBe(true);
    expect((await code(warm, program("echo"), { stdin: "after\n" })).stdout).toBe("AFTER\n");
  });

  it("streams a warm run's stdin and output as they come", async () => {
    let handle: RunHandle | undefined;
    const answer = await executeCommand(warm, Command.parse({ type: "execute_code", code: program("echo") }), {
      interactive: true,
      onStage: (kind, stage) => {
        if (kind !== "run") return;
        handle = stage;
        stage.writeStdin("first\n");
      },
      observer: {
        onStdout: (chunk) => {
          if (!chunk.toString().includes("FIRST")) return;
          handle!.writeStdin("second\n");
          handle!.endStdin();
        },
      },
    });
    expect(answer).toMatchObject({ status: "Success", stdout: "FIRST\nSECOND\n" });
    expect(served(answer)).toBe(true);
  });

  it("stops a warm run at the output limit, keeping the head", async () => {
    const answer = await code(warm, program("flood"));
    expect(answer.status).toBe("OutputLimitExceeded");
    expect(answer.stdout.length).toBe(100_000);
    expect(served(answer)).toBe(true);
  });

  it("only runs cold, never wrong, after a program killed the warm parts it could see", async () => {
    const killer = 'for d in /proc/[0-9]*; do p=${d#/proc/}; [ "$p" = 1 ] || [ "$p" = $$ ] || kill -9 "$p" 2>/dev/null; done; echo done';
    expect((await execute(warm, { type: "execute_shell", commandName: "sh", args: ["-c", killer] })).stdout).toBe("done\n");
    const source = readFileSync(join(runtime.directory, testProgram), "utf8");
    const next = await code(warm, source);
    expect({ status: next.status, stdout: next.stdout.trim() }).toEqual({ status: "Success", stdout: "OK" });
    expect(served(await code(warm, source))).toBe(true);
  });

  it("never uses warm parts in a session created with warm: false", async () => {
    const source = readFileSync(join(runtime.directory, testProgram), "utf8");
    for (const answer of [await code(cold, source), await code(cold, source)]) {
      expect(answer.status).toBe("Success");
      expect(Object.values(answer.stages ?? {}).map((stage) => stage?.warm)).not.toContain(true);
    }
    const left = await execute(cold, { type: "execute_shell", commandName: PROCESSES[0]!, args: PROCESSES.slice(1) });
    expect(left.stdout).not.toContain(WARM_PATH);
    expect(cold.config.warm).toBe(false);
  });

  it("makes a pooled session's first run warm: the spare's warm parts are started before it is handed out", async () => {
    const params = { language, version, memoryLimitMB: 384 };
    await host().sessions.pool.settled();
    const before = new Set((await spares()).map((info) => info.Id));
    const first = await createSession(host(), params);
    await host().sessions.pool.settled();
    const made = (await spares()).filter((info) => !before.has(info.Id));
    expect(made).toHaveLength(1);
    await host().sessions.close(first.id, "made the spare");
    const pooled = await createSession(host(), params);
    expect(pooled.sandbox.id).toBe(made[0]!.Id);
    const source = readFileSync(join(runtime.directory, testProgram), "utf8");
    const run = await code(pooled, source);
    expect(run.stdout.trim()).toBe("OK");
    expect(served(run)).toBe(true);
  });
});
