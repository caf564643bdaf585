import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { RuntimeRegistry } from "../../../contract/runtimes/registry";
import { EscapeCase, python } from "../context";

/**
 * The sandbox's limits must not break what programs ordinarily do: threads (gVisor's seccomp once answered clone3
 * with EPERM, and glibc never fell back to clone: Node aborted at start, Python could not start a thread), and each
 * runtime's own test program under gVisor (runtimes.test.ts runs them under docker).
 */
export const runtimeCases: EscapeCase[] = [
  {
    name: "starts threads and shares memory between processes (clone3 answers ENOSYS, /dev/shm is writable)",
    async attempt(context) {
      const code = `import threading, multiprocessing
results = []
threads = [threading.Thread(target=results.append, args=(n,)) for n in range(8)]
for thread in threads: thread.start()
for thread in threads: thread.join()
lock = multiprocessing.Lock()
with lock: print("threads", sorted(results) == list(range(8)), "lock ok")`;
      const answer = await python(context, code);
      expect(answer.stderr).toBe("");
      expect(answer.stdout).toBe("threads True lock ok\n");
    },
  },
  ...RuntimeRegistry.builtIn()
    .all()
    .map((runtime): EscapeCase => ({
      name: `runs the ${runtime.manifest.language} runtime's test program`,
      kinds: ["gvisor"],
      ownSession: { language: runtime.manifest.language },
      async attempt(context) {
        const code = readFileSync(join(runtime.directory, runtime.manifest.testProgram), "utf8");
        const answer = await context.execute({ type: "execute_code", code, timeoutMs: 60_000 });
        expect({ status: answer.status, stdout: answer.stdout, stderr: answer.stderr }).toMatchObject({
          status: "Success",
          stdout: expect.stringContaining("OK"),
        });
        await context.host.sessions.close(context.session.id, "case done");
      },
    })),
];
