import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IsolationBackend, RunOutcome, RunRequest, Sandbox } from "../../host/isolation/backend";
import { DockerBackend } from "../../host/isolation/docker/docker-backend";
import { ProcessBackend } from "../../host/isolation/process/process-backend";
import { resolveLimits } from "../../contract/limits";
import { silentLogger } from "../../host/log";
import type { Runtime } from "../../contract/runtimes/manifest";
import { loadLanguage } from "../../contract/runtimes/registry";
import { WARM_PATH } from "../../host/runtimes/warm-folder";
import { docker } from "./helpers";

/**
 * cb-runner's warm parts (docs/WARM.md) on every backend, with parts of the test's own (test/fixtures/warm): a
 * Python launcher, and a "compiler" that runs each compile line as a child. They live in a copy of the python
 * language folder, so the image build that puts a language's warm folder into its images is tested too.
 */
const ROOT = join(__dirname, "..", "..");
const fixtures = join(ROOT, "test", "fixtures", "warm");
const base = mkdtempSync(join(tmpdir(), "codebeaker-warm-runtime-"));
const folder = join(base, "python");
cpSync(join(ROOT, "runtimes", "python"), folder, { recursive: true });
cpSync(join(fixtures, "python-launch.py"), join(folder, "warm", "launch.py"));
cpSync(join(fixtures, "command-compiler.py"), join(folder, "warm", "compiler.py"));
const language = JSON.parse(readFileSync(join(folder, "language.json"), "utf8"));
writeFileSync(
  join(folder, "language.json"),
  JSON.stringify({
    ...language,
    warm: { launcher: ["python3", `${WARM_PATH}/launch.py`], compiler: ["python3", `${WARM_PATH}/compiler.py`] },
  }),
);
const versions = loadLanguage(folder);
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A listing of the sandbox's processes but the one that looks: "pid command", one a line. */
const PROCESSES = [
  "python3",
  "-c",
  "import os\nme = os.getpid()\nfor p in sorted(int(p) for p in os.listdir('/proc') if p.isdigit() and int(p) != me):\n    print(p, open(f'/proc/{p}/cmdline').read().replace(chr(0), ' ').strip())",
];

const backends: Array<[string, () => IsolationBackend, (all: Runtime[]) => Runtime]> = [
  ["docker", () => new DockerBackend(docker, silentLogger, { kind: "docker" }), (all) => all[0]!],
  ["gvisor", () => new DockerBackend(docker, silentLogger, { kind: "gvisor" }), (all) => all[0]!],
  ["docker exec beside a keeper", () => new DockerBackend(docker, silentLogger, { kind: "docker", runnerStart: "exec" }), (all) => all[0]!],
  // Process isolation runs this machine's Python: the version folder that matches it.
  ["process", () => new ProcessBackend(silentLogger), (all) => new ProcessBackend(silentLogger).versionsHere(all)[0] ?? all[0]!],
];

describe.each(backends)("warm parts in cb-runner (%s)", (_name, makeBackend, pick) => {
  const backend = makeBackend();
  let sandbox: Sandbox;
  const runtime = pick(versions);
  const limits = resolveLimits({ request: { pids: 64 }, runtime: runtime.manifest.limits });

  const run = (request: Partial<RunRequest> & { argv: string[] }, stdin: string | undefined = ""): Promise<RunOutcome> =>
    sandbox.run({ cwd: "/workspace", timeoutMs: 10_000, outputLimitBytes: 1 << 20, stdin, ...request }).outcome;
  const text = (outcome: RunOutcome) => ({
    stdout: outcome.stdout.toString(),
    stderr: outcome.stderr.toString(),
    exitCode: outcome.exitCode,
    warm: outcome.warm,
  });
  const compile = (argv: string[], extra: Partial<RunRequest> = {}) => run({ argv, warm: "compiler", ...extra });
  const processes = async () => (await run({ argv: PROCESSES })).stdout.toString().trim().split("\n");

  beforeAll(async () => {
    sandbox = await backend.createSandbox({
      sessionId: `warm-${process.pid}-${_name.split(" ")[0]}`,
      runtime,
      limits,
      networkEnabled: false,
    });
    expect(sandbox.warmParts).toEqual(runtime.manifest.warm);
    expect(await sandbox.defineWarmPart("launcher", { argv: runtime.manifest.warm!.launcher! })).toBeGreaterThan(1);
    expect(await sandbox.defineWarmPart("compiler", { argv: runtime.manifest.warm!.compiler! })).toBeGreaterThan(1);
  });
  afterAll(() => backend.dispose());

  it("runs a program from the launcher as its command line would: argv, cwd, stdin, output and exit code", async () => {
    await sandbox.writeFile(
      "/workspace/app/main.py",
      Buffer.from("import os, sys\nprint(sys.argv, os.getcwd())\nprint(input(), file=sys.stderr)\nsys.exit(3)\n"),
      "create",
    );
    const argv = ["python3", "/workspace/app/main.py", "one", "two words"];
    const warm = await run({ argv, cwd: "/workspace/app", warm: "launcher" }, "from stdin\n");
    const cold = await run({ argv, cwd: "/workspace/app" }, "from stdin\n");
    expect(text(warm)).toEqual({ ...text(cold), warm: true });
    expect(text(cold)).toEqual({
      stdout: "['/workspace/app/main.py', 'one', 'two words'] /workspace/app\n",
      stderr: "from stdin\n",
      exitCode: 3,
      warm: false,
    });
  });

  it("feeds a warm run's stdin as it comes", async () => {
    const handle = sandbox.run(
      {
        argv: ["python3", "-c", "import sys\nfor line in sys.stdin: print(line.strip().upper(), flush=True)"],
        cwd: "/workspace",
        timeoutMs: 10_000,
        outputLimitBytes: 1 << 20,
        warm: "launcher",
      },
      {
        onStdout: (chunk) => {
          if (!chunk.toString().includes("FIRST")) return;
          handle.writeStdin("second\n");
          handle.endStdin();
        },
      },
    );
    handle.writeStdin("first\n");
    expect(text(await handle.outcome)).toMatchObject({ stdout: "FIRST\nSECOND\n", warm: true });
  });

  it("counts only the program's CPU time and wall time, not the launcher's warming up", async () => {
    // The fixture's launcher burns 400 ms (by the clock) of CPU before it waits; a run that comes once it waits is charged none of it.
    const env = { WARM_FIXTURE_BURN_MS: "400" };
    const pid = await sandbox.defineWarmPart("launcher", { argv: runtime.manifest.warm!.launcher!, env });
    const waitReady = `import os, time\nwhile not os.path.exists('/tmp/warm-fixture-ready-${pid}'): time.sleep(0.01)`;
    const ready = await compile(["python3", "-c", waitReady]);
    expect(ready).toMatchObject({ exitCode: 0, timedOut: false });
    await sandbox.writeFile("/workspace/idle.py", Buffer.from("print('idle')\n"), "create");
    const idle = await run({ argv: ["python3", "/workspace/idle.py"], env, warm: "launcher" });
    expect(text(idle)).toEqual({ stdout: "idle\n", stderr: "", exitCode: 0, warm: true });
    expect(idle.cpuMs).toBeLessThan(200);
    expect(idle.wallMs).toBeLessThan(200);
    // Another environment than the launcher's: cold.
    expect(await run({ argv: ["python3", "/workspace/idle.py"], warm: "launcher" })).toMatchObject({ warm: false, exitCode: 0 });
    await sandbox.defineWarmPart("launcher", { argv: runtime.manifest.warm!.launcher! });
  });

  it("starts the next launcher once the runner has been quiet after a run's answer, or at once for a run that comes first", async () => {
    // The fixture says it is ready in /workspace, where the test can look without running anything in the sandbox.
    const env = { WARM_FIXTURE_BURN_MS: "1000", WARM_FIXTURE_READY_DIR: "/workspace/ready" };
    await sandbox.makeDirectory("/workspace/ready");
    await sandbox.writeFile("/workspace/quiet.py", Buffer.from("print('quiet')\n"), "create");
    const argv = ["python3", "/workspace/quiet.py"];
    await sandbox.defineWarmPart("launcher", { argv: runtime.manifest.warm!.launcher!, env });
    const readyFiles = async () => (await sandbox.list("/workspace/ready")).map((entry) => entry.name);
    const waitUntilReady = async () => {
      for (const deadline = Date.now() + 10_000; Date.now() < deadline;) if ((await readyFiles()).length) return;
      throw new Error("no launcher said it was ready within 10 s");
    };
    // Not while the answer is on its way: a compile relayed right after it (which keeps a launcher waiting) sees none.
    // On a loaded machine that compile may come more than the runner's 20 ms of quiet later: one of three must see none.
    const launchersSeen: number[] = [];
    while (launchersSeen.length < 3 && !launchersSeen.includes(0)) {
      await waitUntilReady();
      expect(text(await run({ argv, env, warm: "launcher" }))).toEqual({ stdout: "quiet\n", stderr: "", exitCode: 0, warm: true });
      const listing = await compile(PROCESSES);
      expect(listing).toMatchObject({ exitCode: 0, warm: true });
      launchersSeen.push(
        listing.stdout
          .toString()
          .split("\n")
          .filter((line) => /launch\.py/.test(line)).length,
      );
    }
    expect(launchersSeen).toContain(0);
    // A run that comes right after the answer is served by a launcher started for it: it waits for its warming up.
    const next = await run({ argv, env, warm: "launcher" });
    expect(text(next)).toEqual({ stdout: "quiet\n", stderr: "", exitCode: 0, warm: true });
    expect(next.wallMs).toBeGreaterThanOrEqual(500);
    // Left alone (the file requests that look do not count as work), the runner starts the next one by itself.
    await waitUntilReady();
    const warmedUp = await run({ argv, env, warm: "launcher" });
    expect(text(warmedUp)).toEqual({ stdout: "quiet\n", stderr: "", exitCode: 0, warm: true });
    expect(warmedUp.wallMs).toBeLessThan(500);
    await sandbox.defineWarmPart("launcher", { argv: runtime.manifest.warm!.launcher! });
  });

  it("holds a warm run to the CPU time its time limit allows, as a cold one (RLIMIT_CPU set at go)", async () => {
    const limits = "import resource\nprint(*resource.getrlimit(resource.RLIMIT_CPU))";
    const [soft, hard] = (await run({ argv: ["python3", "-c", limits], timeoutMs: 4000, warm: "launcher" })).stdout
      .toString()
      .split(" ")
      .map(Number);
    // The CPU it used warming up (well under a second), then the 4 s limit and a second of slack.
    expect(soft).toBeGreaterThanOrEqual(6);
    expect(soft).toBeLessThanOrEqual(8);
    expect(hard).toBe(soft! + 1);
  });

  it("ends a warm run at its time limit with every process it started, and leaves only the warm parts", async () => {
    const code =
      "import subprocess, time\nsubprocess.Popen(['setsid', 'sleep', '300'])\nsubprocess.Popen('sleep 301 &', shell=True)\ntime.sleep(60)";
    const outcome = await run({ argv: ["python3", "-c", code], timeoutMs: 700, warm: "launcher" });
    expect(outcome).toMatchObject({ timedOut: true, warm: true, signal: 9 });
    expect(outcome.wallMs).toBeLessThan(5000);
    const left = await processes();
    expect(left.filter((line) => /sleep/.test(line))).toEqual([]);
    expect(left.filter((line) => /compiler\.py/.test(line))).toHaveLength(1); // the compiler lives on
    expect(left.filter((line) => /launch\.py/.test(line))).toEqual([]); // a cold run never runs beside a launcher
  });

  it("relays a compile to the resident compiler: its output, exit code and time", async () => {
    const outcome = await compile(["sh", "-c", "echo out; echo err >&2; exit 4"], { makeDirectories: ["/tmp/codebeaker/build"] });
    expect(text(outcome)).toEqual({ stdout: "out\n", stderr: "err\n", exitCode: 4, warm: true });
    const busy = await compile(["python3", "-c", "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"]);
    expect(busy).toMatchObject({ exitCode: 0, warm: true });
    expect(busy.cpuMs).toBeGreaterThanOrEqual(280);
    expect(busy.peakMemoryBytes).toBeGreaterThan(0);
  });

  it("runs cold what the compiler hands back (fallback=1)", async () => {
    const outcome = await compile(["cold-only"]);
    expect(outcome).toMatchObject({ warm: false, spawnError: { step: "exec" } });
    expect(await compile(["true"])).toMatchObject({ exitCode: 0, warm: true });
  });

  it("runs a compile cold when the compiler dies under it before writing anything, and starts it again", async () => {
    const crashed = await compile(["sh", "-c", "echo cold; exit 5", "crash-the-compiler"]);
    expect(text(crashed)).toEqual({ stdout: "cold\n", stderr: "", exitCode: 5, warm: false });
    expect(await compile(["true"])).toMatchObject({ exitCode: 0, warm: true });
  });

  it("kills the compiler at the compile's time limit or output limit, and starts it again for the next compile", async () => {
    const slow = await compile(["sleep", "300"], { timeoutMs: 600 });
    expect(slow).toMatchObject({ timedOut: true, warm: true, signal: 9 });
    expect(slow.wallMs).toBeLessThan(5000);
    expect((await processes()).filter((line) => /sleep/.test(line))).toEqual([]);
    expect(await compile(["true"])).toMatchObject({ exitCode: 0, warm: true });
    const flood = await compile(["sh", "-c", "yes"], { outputLimitBytes: 10_000 });
    expect(flood).toMatchObject({ outputExceeded: true, warm: true });
    expect(flood.stdout.length).toBe(10_000);
    expect(text(await compile(["echo", "again"]))).toMatchObject({ stdout: "again\n", warm: true });
  });

  it("only makes the next runs cold when a program kills every process it can see, never wrong", async () => {
    // Every process but the runner: killing the runner ends a sandbox where it is not PID 1 or where gVisor lets
    // PID 1 be killed (see cb-runner.c), which warm parts do not change.
    const killer = [
      "import os",
      "for p in os.listdir('/proc'):",
      "    if not p.isdigit() or int(p) == os.getpid(): continue",
      "    try:",
      "        if 'cb-runner' not in open(f'/proc/{p}/cmdline').read(): os.kill(int(p), 9)",
      "    except OSError: pass",
      "print('done')",
    ].join("\n");
    expect(text(await run({ argv: ["python3", "-c", killer], warm: "launcher" }))).toMatchObject({ stdout: "done\n", exitCode: 0 });
    expect(text(await compile(["echo", "compiled"]))).toMatchObject({ stdout: "compiled\n", exitCode: 0 });
    expect(text(await run({ argv: ["python3", "-c", "print('ran')"], warm: "launcher" }))).toEqual({
      stdout: "ran\n",
      stderr: "",
      exitCode: 0,
      warm: true,
    });
    expect(text(await compile(["echo", "compiled"]))).toEqual({ stdout: "compiled\n", stderr: "", exitCode: 0, warm: true });
  });

  it("ends a fork bomb beside the warm parts, and serves warm again after it", async () => {
    // As the escape suite's bomb: its processes fork once a second when refused, so that gVisor's own threads keep up.
    const bomb =
      "import os, time\nif os.fork() == 0:\n    while True:\n        try: os.fork()\n        except OSError: time.sleep(1)\ntime.sleep(2)\nprint('left')";
    const outcome = await run({ argv: ["python3", "-c", bomb], timeoutMs: 6000, warm: "launcher" });
    expect(text(outcome)).toMatchObject({ stdout: "left\n", exitCode: 0, warm: true });
    expect((await processes()).filter((line) => !/compiler\.py|cb-runner/.test(line))).toEqual([]);
    expect(text(await run({ argv: ["python3", "-c", "print('after')"], warm: "launcher" }))).toMatchObject({
      stdout: "after\n",
      warm: true,
    });
  });

  it("stops a part that is defined again, and runs cold once none is defined", async () => {
    expect(await sandbox.defineWarmPart("launcher", null)).toBe(0);
    expect(await run({ argv: ["python3", "-c", "print(1)"], warm: "launcher" })).toMatchObject({ exitCode: 0, warm: false });
    await expect(sandbox.defineWarmPart("launcher", { argv: ["/no/such/launcher"] })).rejects.toThrow(
      /warm launcher could not start: exec/,
    );
    const built = "/tmp/codebeaker/warm-test/build";
    expect(await sandbox.defineWarmPart("launcher", { argv: runtime.manifest.warm!.launcher!, makeDirectories: [built] })).toBeGreaterThan(
      1,
    );
    expect(text(await run({ argv: ["python3", "-c", `import os; print(os.path.isdir('${built}'))`], warm: "launcher" }))).toMatchObject({
      stdout: "True\n",
      warm: true,
    });
  });
});

describe("a warm folder with a setup.sh", () => {
  const withSetup = join(base, "with-setup", "python");
  cpSync(folder, withSetup, { recursive: true });
  writeFileSync(join(withSetup, "warm", "setup.sh"), "set -e\nid -u > setup-ran\npwd >> setup-ran\n");
  const [runtime] = loadLanguage(withSetup);

  it("runs it as root in that folder at image build, and leaves the folder read-only to the sandbox", async () => {
    const backend = new DockerBackend(docker, silentLogger, { kind: "docker" });
    try {
      const limits = resolveLimits({ runtime: runtime!.manifest.limits });
      const sandbox = await backend.createSandbox({
        sessionId: `warm-setup-${process.pid}`,
        runtime: runtime!,
        limits,
        networkEnabled: false,
      });
      const check =
        "import os\nprint(open('/opt/codebeaker/warm/setup-ran').read().split(), [os.access(f'/opt/codebeaker/warm/{f}', os.W_OK) for f in ('', 'launch.py', 'setup-ran')])";
      const outcome = await sandbox.run({
        argv: ["python3", "-c", check],
        cwd: "/workspace",
        timeoutMs: 10_000,
        outputLimitBytes: 1 << 20,
        stdin: "",
      }).outcome;
      expect(outcome.stdout.toString()).toBe(`['0', '${WARM_PATH}'] [False, False, False]\n`);
    } finally {
      await backend.dispose();
    }
  });

  it("runs Python's own launcher under process isolation, where its optional setup never ran: it compiles its body", async () => {
    const backend = new ProcessBackend(silentLogger);
    const here = backend.versionsHere(loadLanguage(join(ROOT, "runtimes", "python")))[0];
    if (!here) return; // this machine has none of its versions
    try {
      const sandbox = await backend.createSandbox({
        sessionId: `warm-optional-setup-${process.pid}`,
        runtime: here,
        limits: resolveLimits({}),
        networkEnabled: false,
      });
      expect(sandbox.warmParts?.launcher).toEqual(here.manifest.warm!.launcher);
      await sandbox.defineWarmPart("launcher", { argv: here.manifest.warm!.launcher! });
      const program =
        "import sys\nprint(__file__, sys.argv[1:], sorted(n for n in globals() if not n.startswith('__')))\nraise ValueError('boom')\n";
      await sandbox.writeFile("/workspace/pkg/main.py", Buffer.from(program), "create");
      const request = {
        argv: ["python3", "/workspace/pkg/main.py", "arg"],
        cwd: "/workspace/pkg",
        timeoutMs: 10_000,
        outputLimitBytes: 1 << 20,
      };
      const warm = await sandbox.run({ ...request, warm: "launcher", stdin: "" }).outcome;
      const cold = await sandbox.run({ ...request, stdin: "" }).outcome;
      expect(warm.warm).toBe(true);
      expect([warm.stdout.toString(), warm.stderr.toString(), warm.exitCode]).toEqual([cold.stdout.toString(), cold.stderr.toString(), 1]);
      expect(cold.stdout.toString()).toBe("/workspace/pkg/main.py ['arg'] ['sys']\n");
    } finally {
      await backend.dispose();
    }
  });

  it("keeps the language cold under process isolation, which has no image build to run it in", async () => {
    const backend = new ProcessBackend(silentLogger);
    const here = backend.versionsHere(loadLanguage(withSetup))[0];
    if (!here) return; // this machine has none of its versions
    try {
      const sandbox = await backend.createSandbox({
        sessionId: `warm-setup-process-${process.pid}`,
        runtime: here,
        limits: resolveLimits({}),
        networkEnabled: false,
      });
      expect(sandbox.warmParts).toBeUndefined();
    } finally {
      await backend.dispose();
    }
  });
});
