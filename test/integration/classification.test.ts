import { describe, expect, it } from "vitest";
import type { SessionCreateResult, SessionExecuteResult } from "../../contract/protocol/session";
import { useHost } from "./helpers";

type Host = ReturnType<ReturnType<typeof useHost>>;

function client(host: Host) {
  const context = { notify: () => undefined };
  return <T>(method: string, params: unknown) => host.dispatcher.call(method, params, context) as Promise<T>;
}

const shell = (script: string) => ({ type: "execute_shell", commandName: "sh", args: ["-c", script] });

/** What a client is told is the client's (or the program's) doing, said as such: never "Internal error". */
describe("errors a client or a program caused are not internal errors", () => {
  const host = useHost({ maxSessions: 1 });

  it("refuses a session past the host's maximum with its own code, and data that says the maximum", async () => {
    const call = client(host());
    const { sessionId } = await call<SessionCreateResult>("session.create", { language: "python" });
    await expect(call("session.create", { language: "python" })).rejects.toMatchObject({
      code: -32001,
      message: expect.stringMatching(/^Too many sessions: 1 are open/),
      data: "maxSessions: this host allows 1 open at once",
    });
    await call("session.close", { sessionId });
  });

  it("refuses gVisor with network, where runsc runs without one, as unavailable isolation", async () => {
    const call = client(host());
    await expect(call("session.create", { language: "python", isolation: "gvisor", networkEnabled: true })).rejects.toMatchObject({
      code: -32002,
      message: expect.stringMatching(/networkEnabled is not available with gvisor/),
      data: { field: "isolation", value: "gvisor", reason: expect.stringMatching(/networkEnabled is not available with gvisor/) },
    });
  });
});

describe.each(["docker", "gvisor", "process"] as const)("a full /tmp and /workspace (%s)", (isolation) => {
  const host = useHost({ isolation });

  it("is a disk error that names the path, and later runs still run", async () => {
    const call = client(host());
    const { sessionId } = await call<SessionCreateResult>("session.create", { language: "python" });
    const execute = (command: unknown) => call<SessionExecuteResult>("session.execute", { sessionId, command });
    const fill = await execute(shell("dd if=/dev/zero of=/tmp/fill bs=1M count=4096; dd if=/dev/zero of=/workspace/fill bs=1M count=4096"));
    expect(fill.status).toBe("RuntimeError");
    expect(fill.stderr).toMatch(/No space left on device/);
    const code = await execute({ type: "execute_code", code: "print('alive')" });
    expect(code).toMatchObject({
      status: "FileError",
      errorCode: "NoSpace",
      error: expect.stringMatching(/^no space left in \/workspace .* to write \/workspace\/main\.py$/),
    });
    const alive = await execute({ type: "execute_shell", commandName: "python3", args: ["-c", "print('alive')"] });
    expect({ status: alive.status, stdout: alive.stdout }).toEqual({ status: "Success", stdout: "alive\n" });
    await call("session.close", { sessionId });
  });
});

describe("a fork bomb under gVisor at default limits", () => {
  const host = useHost({ isolation: "gvisor" });

  it("ends at the process limit or the time limit, and the session still answers", async () => {
    const call = client(host());
    const { sessionId } = await call<SessionCreateResult>("session.create", { language: "python" });
    const execute = (command: unknown) => call<SessionExecuteResult>("session.execute", { sessionId, command });
    const bomb = await execute({ type: "execute_shell", commandName: "bash", args: ["-c", ":(){ :|:& };:; sleep 5"], timeoutMs: 8000 });
    expect(["Success", "RuntimeError", "TimeLimitExceeded"]).toContain(bomb.status);
    const alive = await execute({ type: "execute_code", code: "print('alive')" });
    expect({ status: alive.status, stdout: alive.stdout }).toEqual({ status: "Success", stdout: "alive\n" });
    await call("session.close", { sessionId });
  });
});

/** Where files may take all of the memory (a host that sizes /tmp as large as the memory): docker and process keep the session. */
describe.each(["docker", "process"] as const)("a /tmp that fills the sandbox's memory (%s)", (isolation) => {
  const host = useHost({ isolation, limits: { tmpMb: 256, workspaceMb: 256 } });

  it("is a disk error naming /tmp, for the run that filled it and for later runs, until the files go", async () => {
    const call = client(host());
    const { sessionId } = await call<SessionCreateResult>("session.create", { language: "python", memoryLimitMB: 256 });
    const execute = (command: unknown) => call<SessionExecuteResult>("session.execute", { sessionId, command });
    const fill = await execute(shell("dd if=/dev/zero of=/tmp/fill bs=1M count=4096"));
    expect(fill.status).toBe("RuntimeError");
    expect(fill.error).toMatch(/^RuntimeError: no space left on \/tmp: files there are kept in the sandbox's 256 MB of memory/);
    const starved = await execute({ type: "execute_shell", commandName: "python3", args: ["-c", "print('alive')"] });
    expect(starved.status).toBe("RuntimeError");
    expect(starved.error).toMatch(/no space left on \/tmp/);
    expect((await execute(shell("rm /tmp/fill && echo freed"))).stdout).toBe("freed\n");
    const alive = await execute({ type: "execute_code", code: "print('alive')" });
    expect({ status: alive.status, stdout: alive.stdout }).toEqual({ status: "Success", stdout: "alive\n" });
    await call("session.close", { sessionId });
  });
});
