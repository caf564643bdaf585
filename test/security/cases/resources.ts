import { expect } from "vitest";
import { RuntimeRegistry } from "../../../contract/runtimes/registry";
import { EscapeCase, expectOnlyRunner, python, shell } from "../context";

/** What python's runtime itself sets in every sandbox (runtimes/python: PYTHONUNBUFFERED, pip's settings, …). */
const pythonOwnEnv = new Set(
  RuntimeRegistry.builtIn()
    .versions("python")
    .flatMap((runtime) => Object.keys(runtime.manifest.env)),
);

export const resourceCases: EscapeCase[] = [
  {
    name: "a fork bomb stops at the process limit, and the session recovers",
    ownSession: { pidsLimit: 64 },
    async attempt(context) {
      // The bomb runs in a child; the parent forks nothing more until it probes the limit, so whether the bomb or
      // the test's own process wins a free pid is not left to chance (a shell parent must fork for every command).
      // Every process of the bomb keeps forking, once a second when refused, and none ever exits.
      const bomb = [
        "import os, time",
        "if os.fork() == 0:",
        "    while True:",
        "        try:",
        "            os.fork()",
        "        except OSError:",
        "            time.sleep(1)",
        "time.sleep(2)",
        "try:",
        "    if os.fork() == 0:",
        "        os._exit(0)",
        "    print('not held')",
        "except BlockingIOError:",
        "    print('held')",
      ].join("\n");
      const answer = await python(context, bomb, { timeoutMs: 6000 });
      expect(answer.status).toBe("Success");
      expect(answer.stdout).toBe("held\n");
      await expectOnlyRunner(context);
    },
  },
  {
    name: "a memory bomb is MemoryLimitExceeded",
    ownSession: { memoryLimitMB: 128 },
    async attempt(context) {
      const answer = await python(context, 'hoard = []\nwhile True:\n    hoard.append(b"x" * (16 * 1024 * 1024))');
      expect(answer.status).toBe("MemoryLimitExceeded");
      expect(answer.error).toMatch(/ran out of its 128 MB of memory/);
      if (context.kind === "gvisor") {
        expect(() => context.host.sessions.get(context.session.id)).toThrow(/has ended/); // gVisor stops the whole sandbox
      } else {
        await expectOnlyRunner(context);
      }
    },
  },
  {
    name: "filling /tmp ends at its size, and the session recovers",
    ownSession: { memoryLimitMB: 256 },
    async attempt(context) {
      const fill = await shell(context, "dd if=/dev/zero of=/tmp/fill bs=1M count=1024 2>&1; wc -c < /tmp/fill");
      expect(fill.stdout).toMatch(/No space left on device/);
      expect(Number(fill.stdout.trim().split("\n").at(-1))).toBe(64 * 1024 * 1024); // a quarter of 256 MB
      expect((await shell(context, "rm /tmp/fill && echo freed")).stdout).toBe("freed\n");
      expect((await python(context, "print('alive')")).stdout).toBe("alive\n");
    },
  },
  {
    name: "filling /workspace ends at its size, and file commands say so",
    ownSession: { memoryLimitMB: 256 },
    async attempt(context) {
      const fill = await shell(context, "dd if=/dev/zero of=/workspace/fill bs=1M count=1024 2>&1 | grep -c 'No space'");
      expect(fill.stdout).toBe("1\n");
      const write = await context.execute({ type: "write_file", path: "more.txt", content: "x".repeat(1 << 20) });
      expect(write).toMatchObject({ success: false, errorCode: "NoSpace" });
      expect((await context.execute({ type: "delete_file", path: "fill" })).success).toBe(true);
      expect((await context.execute({ type: "write_file", path: "more.txt", content: "fits now" })).success).toBe(true);
    },
  },
  {
    name: "an output flood stops at the output limit, keeping the head",
    ownSession: { outputLimitBytes: 65_536 },
    async attempt(context) {
      const answer = await python(context, 'import sys\nwhile True:\n    sys.stdout.write("flood " * 1000)');
      expect(answer.status).toBe("OutputLimitExceeded");
      expect(answer.stdout).toHaveLength(65_536);
      expect(answer.stdout.startsWith("flood flood")).toBe(true);
      await expectOnlyRunner(context);
    },
  },
  {
    name: "a busy loop is stopped at its time limit and held to its CPU share",
    async attempt(context) {
      const answer = await python(context, "while True: pass", { timeoutMs: 1500 });
      expect(answer.status).toBe("TimeLimitExceeded");
      expect(answer.metrics!.wallMs).toBeGreaterThanOrEqual(1500);
      expect(answer.metrics!.cpuMs).toBeLessThanOrEqual(answer.metrics!.wallMs * 1.1 + 100); // 1 CPU at most
      await expectOnlyRunner(context);
    },
  },
  {
    name: "sleeping past the time limit is TimeLimitExceeded",
    async attempt(context) {
      const answer = await shell(context, "sleep 300", { timeoutMs: 700 });
      expect(answer.status).toBe("TimeLimitExceeded");
      expect(answer.metrics!.wallMs).toBeLessThan(5000);
    },
  },
  {
    name: "children that double-fork, setsid or nohup do not outlive the time limit",
    async attempt(context) {
      const answer = await shell(
        context,
        "(sleep 301 &) ; setsid sleep 302 & nohup sleep 303 >/dev/null 2>&1 & sh -c 'trap \"\" TERM; sleep 304' & sleep 305",
        { timeoutMs: 700 },
      );
      expect(answer.status).toBe("TimeLimitExceeded");
      await expectOnlyRunner(context);
    },
  },
  {
    name: "background processes end with the run that started them",
    async attempt(context) {
      const answer = await shell(context, "setsid sleep 300 & (sleep 301 &); echo left-behind");
      expect(answer).toMatchObject({ status: "Success", stdout: "left-behind\n" });
      await expectOnlyRunner(context);
    },
  },
  {
    name: "runs out of file descriptors inside, not on this machine",
    async attempt(context) {
      const code = `files = []
try:
    while True:
        files.append(open("/dev/null"))
except OSError as error:
    print("stopped at", len(files), error.strerror)`;
      const answer = await python(context, code);
      expect(answer.stdout).toMatch(/^stopped at \d+ Too many open files\n$/);
      expect(Number(/at (\d+)/.exec(answer.stdout)![1])).toBeLessThan(70_000);
    },
  },
  {
    name: "sees none of the host's environment",
    async attempt(context) {
      const answer = await python(context, "import os\nprint(sorted(os.environ))");
      expect(answer.stdout).not.toContain(context.secretEnv.name);
      const names = JSON.parse(answer.stdout.replace(/'/g, '"')) as string[];
      const sandboxOwn = (name: string) =>
        pythonOwnEnv.has(name) || /^(HOME|TMPDIR|LANG|USER|PATH|HOSTNAME|LC_CTYPE|PWD|SHLVL|_)$/.test(name);
      expect(names.filter((name) => !sandboxOwn(name))).toEqual([]);
    },
  },
];
