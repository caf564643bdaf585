import { expect } from "vitest";
import { EscapeCase, expectOnlyRunner, python } from "../context";

/** Python's view of libc, for the system calls Python has no wrapper for. */
const LIBC = "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\ndef err(): return os.strerror(ctypes.get_errno())\n";

export const privilegeCases: EscapeCase[] = [
  {
    name: "has no capabilities and cannot gain any (no-new-privileges)",
    async attempt(context) {
      const code = `${LIBC}status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print(status["CapEff"].strip(), status["CapPrm"].strip(), libc.prctl(39, 0, 0, 0, 0))`;
      expect((await python(context, code)).stdout).toBe("0000000000000000 0000000000000000 1\n");
    },
  },
  {
    name: "cannot become root",
    async attempt(context) {
      // EPERM, or EINVAL where uid 0 does not exist in the sandbox's user namespace (bubblewrap).
      const code = `import os
for change in (lambda: os.setuid(0), lambda: os.setgid(0), lambda: os.setresuid(0, 0, 0)):
    try:
        change()
        print("ROOT")
    except OSError:
        print("refused")
print(os.getuid(), os.geteuid())`;
      expect((await python(context, code)).stdout).toBe("refused\nrefused\nrefused\n1000 1000\n");
    },
  },
  {
    name: "cannot mount file systems",
    async attempt(context) {
      const code = `${LIBC}os.makedirs("/tmp/m", exist_ok=True)
print(libc.mount(b"none", b"/tmp/m", b"tmpfs", 0, None), libc.mount(b"/workspace", b"/tmp/m", None, 4096, None))`;
      expect((await python(context, code)).stdout).toBe("-1 -1\n");
    },
  },
  {
    name: "cannot make new namespaces (user, mount, network)",
    async attempt(context) {
      const code = `${LIBC}print([libc.unshare(flag) for flag in (0x10000000, 0x00020000, 0x40000000)])`;
      expect((await python(context, code)).stdout).toBe("[-1, -1, -1]\n");
    },
  },
  {
    name: "cannot trace its runner or read its memory",
    async attempt(context) {
      const code = `${LIBC}print("ptrace", libc.ptrace(16, 1, 0, 0))
for path in ["/proc/1/mem", "/proc/1/environ", "/proc/1/maps"]:
    try:
        open(path, "rb").read(16)
        print(path, "READ")
    except OSError:
        print(path, "refused")`;
      // gVisor shows the runner's environment (the program's own) and its mappings despite PR_SET_DUMPABLE;
      // tracing it and reading its memory stay refused everywhere.
      const readable = context.kind === "gvisor" ? "READ" : "refused";
      expect((await python(context, code)).stdout).toBe(
        `ptrace -1\n/proc/1/mem refused\n/proc/1/environ ${readable}\n/proc/1/maps ${readable}\n`,
      );
      expect((await python(context, "print('runner answers')")).stdout).toBe("runner answers\n");
    },
  },
  {
    name: "cannot disturb its runner with signals it may catch",
    async attempt(context) {
      const code = `import os, signal
for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1, signal.SIGQUIT, signal.SIGALRM):
    os.kill(1, sig)
print("sent")`;
      expect((await python(context, code)).stdout).toBe("sent\n");
      expect((await python(context, "print('runner answers')")).stdout).toBe("runner answers\n");
    },
  },
  {
    name: "killing its runner outright ends at most its own session, never the host",
    ownSession: {},
    async attempt(context) {
      const answer = await python(context, "import os\nos.kill(1, 9)\nprint('sent')");
      if (context.kind === "gvisor") {
        // gVisor lets a process signal PID 1: the sandbox ends, the host notices and removes it.
        expect(answer.status).toBe("InternalError");
        expect(answer.error).toMatch(/its sandbox stopped unexpectedly/);
        expect(() => context.host.sessions.get(context.session.id)).toThrow(/has ended/);
      } else {
        expect(answer.stdout).toBe("sent\n");
        await expectOnlyRunner(context);
      }
    },
  },
  {
    name: "cannot reboot, load kernel modules or change the clock",
    async attempt(context) {
      const code = `${LIBC}import time
try:
    time.clock_settime(time.CLOCK_REALTIME, 0)
    clock = "CHANGED"
except PermissionError:
    clock = "refused"
print(libc.reboot(0x01234567), libc.init_module(None, 0, b""), libc.sethostname(b"x", 1), clock)`;
      expect((await python(context, code)).stdout).toBe("-1 -1 -1 refused\n");
    },
  },
];
