import { createServer, Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HELD_OUTPUT_BYTES } from "../../host/isolation/runner-results";
import type { Session } from "../../host/sessions/session";
import { createSession, execute, useHost } from "./helpers";

/** Python that lists the processes it can see, other than itself: after a run, only the runner (PID 1). */
const OTHER_PROCESSES = `import os
me = os.getpid()
print(sorted(int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) != me))`;

describe("limits and execution semantics (python sandbox)", () => {
  const host = useHost();
  let session: Session;

  beforeAll(async () => {
    session = await createSession(host(), { language: "python", memoryLimitMB: 128, pidsLimit: 64, timeoutMs: 5000 });
  });
  afterAll(() => host().sessions.close(session.id, "test done"));

  it("stops a program at its timeout: TimeLimitExceeded, and the session goes on", async () => {
    const answer = await execute(session, { type: "execute_code", code: "import time\ntime.sleep(60)", timeoutMs: 800 });
    expect(answer.status).toBe("TimeLimitExceeded");
    expect(answer.success).toBe(false);
    expect(answer.error).toMatch(/^TimeLimitExceeded: the program ran longer than 800 ms/);
    expect(answer.metrics!.wallMs).toBeGreaterThanOrEqual(800);
    expect(answer.stages!.run!.signal).toBe("SIGKILL");
    expect((await execute(session, { type: "execute_code", code: "print('still here')" })).result).toBe("still here");
  });

  it("kills the whole process tree on timeout, setsid and double-forked children included", async () => {
    const answer = await execute(session, {
      type: "execute_shell",
      commandName: "sh",
      args: ["-c", "setsid sleep 300 & (sleep 301 &) ; nohup sleep 302 >/dev/null 2>&1 & sleep 303"],
      timeoutMs: 500,
    });
    expect(answer.status).toBe("TimeLimitExceeded");
    const seen = await execute(session, { type: "execute_code", code: OTHER_PROCESSES });
    expect(seen.result).toBe("[1]");
  });

  it("ends background processes when a run ends normally", async () => {
    const answer = await execute(session, { type: "execute_shell", commandName: "sh", args: ["-c", "sleep 300 & echo started"] });
    expect(answer).toMatchObject({ status: "Success", stdout: "started\n" });
    expect((await execute(session, { type: "execute_code", code: OTHER_PROCESSES })).result).toBe("[1]");
  });

  it("reports running out of memory as MemoryLimitExceeded", async () => {
    const answer = await execute(session, { type: "execute_code", code: 'data = b"x" * (400 * 1024 * 1024)\nprint(len(data))' });
    expect(answer.status).toBe("MemoryLimitExceeded");
    expect(answer.error).toMatch(/^MemoryLimitExceeded: the program ran out of its 128 MB of memory/);
    expect((await execute(session, { type: "execute_code", code: "print('alive')" })).result).toBe("alive");
  });

  it("measures each run on its own, not the sandbox's lifetime", async () => {
    const heavy = await execute(session, {
      type: "execute_code",
      code: 'import time\ndata = b"x" * (60 * 1024 * 1024)\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass',
    });
    expect(heavy.status).toBe("Success");
    expect(heavy.metrics!.peakMemoryBytes).toBeGreaterThan(60 * 1024 * 1024);
    expect(heavy.metrics!.cpuMs).toBeGreaterThanOrEqual(250);
    const light = await execute(session, { type: "execute_code", code: "pass" });
    expect(light.metrics!.peakMemoryBytes).toBeLessThan(30 * 1024 * 1024);
    expect(light.metrics!.cpuMs).toBeLessThan(200);
    expect(light.metrics!.wallMs).toBeLessThan(heavy.metrics!.wallMs);
  });

  it("stops an output flood at the limit and keeps the head", async () => {
    const flood = await createSession(host(), { language: "python", outputLimitBytes: 100_000 });
    try {
      const answer = await execute(flood, { type: "execute_code", code: 'while True:\n    print("x" * 999)' });
      expect(answer.status).toBe("OutputLimitExceeded");
      expect(answer.stdout.length).toBe(100_000);
      expect(answer.stdout.startsWith("x".repeat(999) + "\n")).toBe(true);
      expect(answer.stages!.run!.stdoutTruncated).toBe(true);
      expect(answer.error).toMatch(/wrote more than 100000 bytes to stdout/);
    } finally {
      await host().sessions.close(flood.id, "test done");
    }
  });

  it("answers a run whose output is as large as its limit allows, holding the head of it once", async () => {
    // 40 MB of \x01: JSON writes each as six characters, and the answer carries stdout three times.
    const flood = await createSession(host(), { language: "python", outputLimitBytes: 64 << 20 });
    try {
      const answer = await execute(flood, {
        type: "execute_code",
        code: "import sys\nchunk = b'\\x01' * (1 << 20)\nfor _ in range(40): sys.stdout.buffer.write(chunk)",
      });
      expect(answer).toMatchObject({ status: "Success", success: true });
      expect(answer.stdout).toHaveLength(HELD_OUTPUT_BYTES);
      expect(/^\x01*$/.test(answer.stdout)).toBe(true);
      expect(answer.stages!.run!.stdoutTruncated).toBe(true);
      const sent = JSON.stringify(answer); // what every transport does with it
      expect(sent.length).toBeGreaterThan(3 * 6 * HELD_OUTPUT_BYTES);
    } finally {
      await host().sessions.close(flood.id, "test done");
    }
  });

  it("contains a fork bomb within the process limit, and recovers", async () => {
    const answer = await execute(session, {
      type: "execute_shell",
      commandName: "sh",
      args: ["-c", "bomb() { bomb | bomb & }; bomb; sleep 2; ls /proc | grep -c '^[0-9]'"],
      timeoutMs: 4000,
    });
    expect(["Success", "RuntimeError", "TimeLimitExceeded"]).toContain(answer.status);
    const counted = Number(answer.stdout.trim());
    if (answer.status === "Success") expect(counted).toBeLessThanOrEqual(64 + 1);
    expect((await execute(session, { type: "execute_code", code: OTHER_PROCESSES })).result).toBe("[1]");
    expect((await execute(session, { type: "execute_code", code: "print('recovered')" })).result).toBe("recovered");
  });

  it("passes stdin, separates stdout and stderr, and names the signal that killed a program", async () => {
    const echo = await execute(session, {
      type: "execute_code",
      code: "import sys\nname = sys.stdin.read().strip()\nprint(f'hello {name}')\nprint('to stderr', file=sys.stderr)",
      stdin: "Ada\n",
    });
    expect(echo).toMatchObject({ result: "hello Ada", stdout: "hello Ada\n", stderr: "to stderr\n", exitCode: 0 });

    const exit = await execute(session, { type: "execute_shell", commandName: "sh", args: ["-c", "echo out; echo err >&2; exit 3"] });
    expect(exit).toMatchObject({ success: false, status: "RuntimeError", exitCode: 3 });
    expect(exit.result).toEqual({ exitCode: 3, stdout: "out\n", stderr: "err\n", durationMs: expect.any(Number) });
    expect(exit.error).toBe("RuntimeError: the program exited with code 3\nerr");

    const segv = await execute(session, { type: "execute_shell", commandName: "sh", args: ["-c", "kill -SEGV $$"] });
    expect(segv).toMatchObject({ status: "RuntimeError", exitCode: null });
    expect(segv.stages!.run!.signal).toBe("SIGSEGV");
    expect(segv.error).toMatch(/killed by SIGSEGV/);

    const missing = await execute(session, { type: "execute_shell", commandName: "no-such-program" });
    expect(missing.status).toBe("RuntimeError");
    expect(missing.error).toMatch(/"no-such-program" was not found in the sandbox/);

    const nowhere = await execute(session, { type: "execute_shell", commandName: "true", workingDirectory: "/workspace/absent" });
    expect(nowhere.error).toMatch(/cannot enter the working directory \/workspace\/absent/);
  });

  it("runs as an unprivileged user on a read-only root, with no capabilities and no privilege gain", async () => {
    const answer = await execute(session, {
      type: "execute_code",
      code: [
        "import os",
        "status = dict(line.split(':', 1) for line in open('/proc/self/status'))",
        "print(os.getuid(), status['CapEff'].strip(), status['NoNewPrivs'].strip())",
        "for path in ['/etc/x', '/usr/x', '/workspace/x', '/tmp/x']:",
        "    try:",
        "        open(path, 'w').close(); print(path, 'writable')",
        "    except OSError as e:",
        "        print(path, e.strerror)",
        "print(open('/sys/fs/cgroup/memory/memory.limit_in_bytes').read().strip())",
      ].join("\n"),
    });
    expect(answer.stdout).toBe(
      [
        "1000 0000000000000000 1",
        "/etc/x Read-only file system",
        "/usr/x Read-only file system",
        "/workspace/x writable",
        "/tmp/x writable",
        String(128 * 1024 * 1024),
        "",
      ].join("\n"),
    );
  });
});

describe("network", () => {
  const host = useHost();
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer((socket) => socket.end("hello from the host\n"));
    await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Connects to a server on this machine through the sandbox's default gateway, if it has one. */
  const probe = () => `import socket, struct
gateway = None
for line in open("/proc/net/route").read().splitlines()[1:]:
    fields = line.split()
    if fields[1] == "00000000":
        gateway = socket.inet_ntoa(struct.pack("<L", int(fields[2], 16)))
try:
    if gateway is None:
        socket.create_connection(("10.255.255.1", ${port}), timeout=2)
    print(socket.create_connection((gateway, ${port}), timeout=3).recv(100).decode().strip())
except OSError as error:
    print("no network:", error.strerror)
print(sorted(line.split(":")[0].strip() for line in open("/proc/net/dev").readlines()[2:]))`;

  it("is off by default: only loopback, nothing reachable", async () => {
    const session = await createSession(host(), { language: "python" });
    try {
      const answer = await execute(session, { type: "execute_code", code: probe() });
      expect(answer.stdout).toBe("no network: Network is unreachable\n['lo']\n");
    } finally {
      await host().sessions.close(session.id, "test done");
    }
  });

  it("reaches this machine when a session turns it on (so the check above can fail)", async () => {
    const session = await createSession(host(), { language: "python", networkEnabled: true });
    try {
      const answer = await execute(session, { type: "execute_code", code: probe() });
      expect(answer.stdout).toMatch(/^hello from the host\n\[.*'eth0'.*\]\n$/);
    } finally {
      await host().sessions.close(session.id, "test done");
    }
  });
});
