import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { EscapeCase, python } from "../context";

export const filesystemCases: EscapeCase[] = [
  {
    name: "reads no file of this machine: not the test's canaries, not /etc/shadow, not /root",
    async attempt(context) {
      const paths = [...context.canaries.map((canary) => canary.path), "/etc/shadow", "/root/.bashrc", "/root"];
      const code = `import os
for path in ${JSON.stringify(paths)}:
    try:
        print(path, "READ", open(path).read()[:40] if os.path.isfile(path) else os.listdir(path)[:3])
    except OSError as error:
        print(path, "refused")`;
      const answer = await python(context, code);
      expect(answer.stdout).not.toMatch(/READ/);
      for (const canary of context.canaries) expect(answer.stdout).not.toContain(canary.content);
    },
  },
  {
    name: "writes nowhere but /workspace and /tmp",
    async attempt(context) {
      const code = `for path in ["/etc/codebeaker", "/usr/codebeaker", "/codebeaker", "/opt/codebeaker", "/var/codebeaker", "/workspace/ok", "/tmp/ok"]:
    try:
        open(path, "w").write("x")
        print(path, "written")
    except OSError as error:
        print(path, "refused")`;
      expect((await python(context, code)).stdout).toBe(
        [
          "/etc/codebeaker refused",
          "/usr/codebeaker refused",
          "/codebeaker refused",
          "/opt/codebeaker refused",
          "/var/codebeaker refused",
          "/workspace/ok written",
          "/tmp/ok written",
          "",
        ].join("\n"),
      );
    },
  },
  {
    name: "cannot change this machine's files, even by their exact paths",
    async attempt(context) {
      const code = `for path in ${JSON.stringify(context.canaries.map((canary) => canary.path))}:
    try:
        open(path, "w").write("changed by the sandbox")
    except OSError:
        pass`;
      await python(context, code);
      for (const canary of context.canaries) expect(readFileSync(canary.path, "utf8")).toBe(canary.content);
    },
  },
  {
    name: "cannot reach the Docker engine's socket",
    async attempt(context) {
      const code = `import socket
for path in ["/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock"]:
    try:
        socket.socket(socket.AF_UNIX).connect(path)
        print(path, "CONNECTED")
    except OSError:
        print(path, "refused")`;
      expect((await python(context, code)).stdout).not.toMatch(/CONNECTED/);
    },
  },
  {
    name: "sees none of this machine's processes",
    async attempt(context) {
      const code = `import os
me = os.getpid()
others = [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me)]
print(len(others), any(b"vitest" in open(f"/proc/{p}/cmdline", "rb").read() for p in others))`;
      expect((await python(context, code)).stdout).toBe("0 False\n");
    },
  },
  {
    name: "cannot change kernel settings or control groups",
    async attempt(context) {
      const code = `import glob
targets = ["/proc/sys/kernel/hostname", "/proc/sys/vm/drop_caches", "/proc/sysrq-trigger"] + glob.glob("/sys/fs/cgroup/**/cgroup.procs", recursive=True)[:3]
for path in targets:
    try:
        open(path, "w").write("1")
        print(path, "WRITTEN")
    except OSError:
        print(path, "refused")`;
      expect((await python(context, code)).stdout).not.toMatch(/WRITTEN/);
    },
  },
  {
    name: "cannot hard-link a file of the system into /workspace",
    async attempt(context) {
      const code = `import os
for source in ["/etc/passwd", "/usr/bin/python3"]:
    try:
        os.link(source, "/workspace/linked")
        print("LINKED", source)
        os.unlink("/workspace/linked")
    except OSError:
        print("refused")`;
      expect((await python(context, code)).stdout).toBe("refused\nrefused\n");
    },
  },
  {
    name: "writes nothing into /dev, and /dev/shm holds at most 64 MiB",
    async attempt(context) {
      const code = `import errno, os
for path in ["/dev/codebeaker", "/dev/null2"]:
    try:
        open(path, "w").write("x")
        print(path, "written")
    except OSError as error:
        print(path, "refused")
fd = os.open("/dev/shm/fill", os.O_WRONLY | os.O_CREAT, 0o600)
mib = 0
try:
    for _ in range(200):
        os.write(fd, bytes(1 << 20))
        mib += 1
except OSError as error:
    print("full", errno.errorcode[error.errno])
os.close(fd)
os.remove("/dev/shm/fill")
print("MiB", mib)`;
      const answer = await python(context, code, { timeoutMs: 30_000 });
      expect(answer.stdout).toMatch(/^\/dev\/codebeaker refused\n\/dev\/null2 refused\nfull ENOSPC\nMiB \d+\n$/);
      expect(Number(/MiB (\d+)/.exec(answer.stdout)![1])).toBeLessThanOrEqual(64);
    },
  },
];
