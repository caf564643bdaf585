import Docker from "dockerode";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { startHost } from "../../host/host";
import { Labels } from "../../host/isolation/docker/container-spec";
import { ownerLabel, ownerStartTime } from "../../host/isolation/docker/owner";
import { silentLogger } from "../../host/log";
import { ErrorCodes, RpcError } from "../../contract/protocol/errors";
import { SessionExecute } from "../../contract/protocol/methods";
import { endedSession } from "../../contract/protocol/session-ended";
import { containersOf, createSession, docker, eventually, execute, useHost } from "./helpers";
import { startServer, stop } from "./processes";

describe("session lifecycle", () => {
  const host = useHost();

  it("lists sessions with the guide's fields and counts executions", async () => {
    const session = await createSession(host(), { language: "python", idleTimeoutMinutes: 30, maxLifetimeMinutes: 120 });
    try {
      const created = session.createResult();
      expect(created).toMatchObject({
        sessionId: session.id,
        language: "python",
        state: "Active",
        config: { idleTimeoutMinutes: 30, maxLifetimeMinutes: 120, memoryLimitMB: 512, cpuShares: 1024 },
        isolation: "docker",
      });
      expect(new Date(created.createdAt).toISOString()).toBe(created.createdAt);
      const [container] = await containersOf(session.id);
      expect(container?.Id).toBe(created.containerId);
      expect(container?.State).toBe("running");

      await execute(session, { type: "write_file", path: "a.py", content: "print(1)" });
      await execute(session, { type: "execute_shell", commandName: "python3", args: ["a.py"] });
      const listed = host().sessions.list();
      const mine = listed.sessions.find((entry) => entry.sessionId === session.id);
      expect(listed.count).toBe(listed.sessions.length);
      expect(mine).toMatchObject({ containerId: created.containerId, language: "python", state: "Active", executionCount: 2 });
      expect(mine!.idleMinutes).toBeGreaterThanOrEqual(0);
      expect(mine!.lifetimeMinutes).toBeGreaterThanOrEqual(mine!.idleMinutes);
      expect(Date.parse(mine!.lastActivity)).toBeGreaterThanOrEqual(Date.parse(created.createdAt));
    } finally {
      await host().sessions.close(session.id, "test done");
    }
    expect(await containersOf(session.id)).toEqual([]);
    expect(() => host().sessions.get(session.id)).toThrow(/has ended: test done/);
  });

  it("ends a session after its idle timeout and removes its container", async () => {
    const session = await createSession(host(), { language: "python", idleTimeoutMinutes: 0.02 });
    await eventually(
      async () =>
        !host()
          .sessions.list()
          .sessions.some((s) => s.sessionId === session.id),
      "the session expired",
    );
    await eventually(async () => (await containersOf(session.id)).length === 0, "its container is gone");
    expect(() => host().sessions.get(session.id)).toThrow(/sessionId: session \w+ has ended: it was idle for 0.02 minutes/);
  });

  it("ends a session at its maximum lifetime, even in the middle of a command", async () => {
    const session = await createSession(host(), { language: "python", maxLifetimeMinutes: 0.03 });
    const answer = await execute(session, { type: "execute_code", code: "import time\ntime.sleep(30)", timeoutMs: 20_000 });
    expect(answer.status).toBe("InternalError");
    expect(answer.error).toMatch(/the session ended while the command ran: its maximum lifetime of 0.03 minutes was reached/);
    await eventually(async () => (await containersOf(session.id)).length === 0, "its container is gone");
  });

  it("notices a container that died under it, and answers a call on its session with SessionEnded and why", async () => {
    const session = await createSession(host(), { language: "python" });
    await docker.getContainer(session.sandbox.id).kill();
    await eventually(
      async () =>
        !host()
          .sessions.list()
          .sessions.some((s) => s.sessionId === session.id),
      "the session is dropped",
    );
    const refused = await host()
      .dispatcher.request(SessionExecute, { sessionId: session.id, command: { type: "list_directory" } }, { notify: () => undefined })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RpcError);
    expect(refused).toMatchObject({
      code: ErrorCodes.SessionEnded,
      message: `Invalid params: sessionId: session ${session.id} has ended: its sandbox stopped unexpectedly`,
      data: { sessionId: session.id, reason: "its sandbox stopped unexpectedly" },
    });
    expect(endedSession(refused)).toEqual({ sessionId: session.id, reason: "its sandbox stopped unexpectedly" });
    await eventually(async () => (await containersOf(session.id)).length === 0, "its container is gone");
  });

  it("refuses a command that waited behind the one the session ended under, with SessionEnded", async () => {
    const session = await createSession(host(), { language: "python", maxLifetimeMinutes: 0.03 });
    const running = execute(session, { type: "execute_code", code: "import time\ntime.sleep(30)", timeoutMs: 20_000 });
    const waiting = execute(session, { type: "list_directory" }).catch((error: unknown) => error);
    expect((await running).status).toBe("InternalError");
    expect(await waiting).toMatchObject({
      code: ErrorCodes.SessionEnded,
      data: { sessionId: session.id, reason: "its maximum lifetime of 0.03 minutes was reached" },
    });
  });

  it("refuses an unknown language and an unknown session with a -32602 that says why", async () => {
    const unknown = createSession(host(), { language: "cobol" });
    await expect(unknown).rejects.toBeInstanceOf(RpcError);
    await expect(unknown).rejects.toMatchObject({
      code: -32602,
      message: expect.stringMatching(/^Invalid params: language: unknown language "cobol" \(known: python, javascript, typescript/),
    });
    // An id this host never gave stays -32602: SessionEnded is only for a session that was here.
    expect(() => host().sessions.get("nope")).toThrow(
      expect.objectContaining({ code: -32602, message: expect.stringMatching(/^Invalid params: sessionId: no session nope/) }),
    );
  });

  it("accepts aliases and reports the language id", async () => {
    const session = await createSession(host(), { language: "PY" });
    try {
      expect(session.createResult().language).toBe("python");
    } finally {
      await host().sessions.close(session.id, "test done");
    }
  });

  it("keeps no log of what passes between host and runner (log driver none)", async () => {
    const session = await createSession(host(), { language: "python" });
    try {
      const marker = `secret-${process.pid}-${Date.now()}`;
      await execute(session, { type: "write_file", path: "data.txt", content: marker });
      expect((await execute(session, { type: "execute_code", code: `print("${marker}")` })).stdout).toBe(`${marker}\n`);
      const container = docker.getContainer(session.sandbox.id);
      expect((await container.inspect()).HostConfig.LogConfig).toMatchObject({ Type: "none" });
      const logs = await container.logs({ stdout: true, stderr: true, follow: false }).then(
        (buffer) => buffer.toString("latin1"),
        (error: Error) => error.message,
      );
      expect(logs).not.toContain(marker);
    } finally {
      await host().sessions.close(session.id, "test done");
    }
  });

  it("removes every container on shutdown", async () => {
    const own = await startHost({ log: silentLogger });
    const sessions = await Promise.all([createSession(own, { language: "python" }), createSession(own, { language: "javascript" })]);
    await own.shutdown();
    for (const session of sessions) expect(await containersOf(session.id)).toEqual([]);
  });
});

describe("without an engine", () => {
  const noEngine = () => new Docker({ socketPath: "/nonexistent/docker.sock" });

  it("falls back to process isolation (bubblewrap) under auto, and says so", async () => {
    const host = await startHost({ log: silentLogger, docker: noEngine() });
    try {
      const session = await createSession(host, { language: "python" });
      expect(session.createResult()).toMatchObject({ isolation: "process", containerId: expect.stringMatching(/^bwrap-\d+$/) });
      expect((await execute(session, { type: "execute_code", code: "print('no docker needed')" })).result).toBe("no docker needed");
    } finally {
      await host.shutdown();
    }
  });

  it("says which engine does not answer and what to do when docker is asked for", async () => {
    const host = await startHost({ log: silentLogger, docker: noEngine() });
    try {
      await expect(createSession(host, { language: "python", isolation: "docker" })).rejects.toThrow(
        "docker isolation is not available: no Docker engine answers at unix:///nonexistent/docker.sock (ENOENT): start Docker",
      );
    } finally {
      await host.shutdown();
    }
  });
});

describe("leftovers of an earlier host", () => {
  it("are removed at start; containers whose owner cannot be judged are left alone", async () => {
    const image = await pythonImageTag();
    const deadPid = spawnSync("true").pid!; // a process that has exited: its pid is free
    const dead = ownerLabel(deadPid);
    const owners = {
      leftover: dead,
      otherMachine: dead.replace(/^[^/]+/, "another-machine"),
      otherPidNamespace: dead.replace(/\/\d+\//, "/1/"),
    };
    const containers = Object.fromEntries(
      await Promise.all(
        Object.entries(owners).map(async ([name, owner]) => {
          const container = await docker.createContainer({
            Image: image,
            Entrypoint: ["sleep", "300"],
            Labels: { [Labels.owner]: owner, [Labels.session]: `${name}-test` },
            HostConfig: { NetworkMode: "none" },
          });
          await container.start();
          return [name, container] as const;
        }),
      ),
    );
    try {
      const host = await startHost({ log: silentLogger });
      await host.shutdown();
      await expect(containers.leftover!.inspect()).rejects.toMatchObject({ statusCode: 404 });
      expect((await containers.otherMachine!.inspect()).State.Running).toBe(true);
      expect((await containers.otherPidNamespace!.inspect()).State.Running).toBe(true);
    } finally {
      await Promise.all(Object.values(containers).map((container) => container.remove({ force: true }).catch(() => undefined)));
    }
  });
});

describe("hosts starting beside a live one", () => {
  it("never remove its sandboxes, not even one it has created and not yet started", async () => {
    // A container this process made and has not started: what a live host has between create and start.
    const notStarted = await docker.createContainer({
      Image: await pythonImageTag(),
      Entrypoint: ["sleep", "300"],
      Labels: { [Labels.owner]: ownerLabel(), [Labels.ownerStarted]: ownerStartTime()!, [Labels.session]: "not-started-test" },
      HostConfig: { NetworkMode: "none", AutoRemove: true },
    });
    const own = await startHost({ log: silentLogger });
    try {
      // Six hosts start and stop, three times over, while this one creates twelve sessions.
      const churn = (async () => {
        for (let round = 0; round < 3; round++) {
          await Promise.all(Array.from({ length: 6 }, async () => stop((await startServer()).child)));
        }
      })();
      const sessions = [];
      for (let batch = 0; batch < 4; batch++) {
        sessions.push(...(await Promise.all([1, 2, 3].map(() => createSession(own, { language: "python" })))));
      }
      await churn;
      for (const session of sessions) {
        expect(session.closedReason).toBeUndefined();
        expect((await execute(session, { type: "execute_code", code: "print('alive')" })).stdout).toBe("alive\n");
      }
      expect((await notStarted.inspect()).State.Status).toBe("created");
    } finally {
      await own.shutdown();
      await notStarted.remove({ force: true }).catch(() => undefined);
    }
  });

  it("remove what a killed host left, whether it had started it or not", async () => {
    const image = await pythonImageTag();
    const killed = spawn("sleep", ["300"]); // stands for the killed host: its own sandboxes would end with its stdin
    const owner = { [Labels.owner]: ownerLabel(killed.pid), [Labels.ownerStarted]: ownerStartTime(killed.pid)! };
    const left = await Promise.all(
      ["started", "not-started"].map((name) =>
        docker.createContainer({
          Image: image,
          Entrypoint: ["sleep", "300"],
          Labels: { ...owner, [Labels.session]: `killed-host-${name}-test` },
          HostConfig: { NetworkMode: "none" },
        }),
      ),
    );
    await left[0]!.start();
    killed.kill("SIGKILL");
    await once(killed, "exit");
    try {
      const { child } = await startServer();
      await stop(child);
      for (const container of left) await expect(container.inspect()).rejects.toMatchObject({ statusCode: 404 });
    } finally {
      await Promise.all(left.map((container) => container.remove({ force: true }).catch(() => undefined)));
    }
  });
});

async function pythonImageTag(): Promise<string> {
  const images = await docker.listImages({ filters: { label: ["codebeaker.language=python"] } });
  // Only the runtime's own tag: images built on it (a package list's, or a failed build's untagged layers) carry its labels too.
  const tag = images.flatMap((image) => image.RepoTags ?? []).find((name) => name.startsWith("codebeaker/python:"));
  if (!tag) throw new Error("no python runtime image (the global setup builds it)");
  return tag;
}
