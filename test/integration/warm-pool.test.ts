import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startHost } from "../../host/host";
import type { IsolationKind } from "../../host/isolation/backend";
import { Labels } from "../../host/isolation/docker/container-spec";
import { ownerLabel } from "../../host/isolation/docker/owner";
import { silentLogger } from "../../host/log";
import { containersOf, containersOwnedBy, createSession, docker, eventually, execute, useHost } from "./helpers";
import { startServer } from "./processes";

/** The ids of the ready sandboxes, from the engine: containers of this host that belong to no session. */
async function spareContainers(sessionIds: string[]) {
  const mine = await docker.listContainers({ all: true, filters: { label: [`${Labels.owner}=${ownerLabel()}`] } });
  return mine.filter((info) => !sessionIds.includes(info.Labels[Labels.session]!));
}

describe("warm pool", () => {
  const host = useHost();

  it("serves the next session.create from a fresh spare: its own id and label, an empty /workspace, not listed", async () => {
    const first = await createSession(host(), { language: "python" });
    await execute(first, { type: "write_file", path: "secret.txt", content: "of the first session" });
    await host().sessions.pool.settled();
    const [spare] = await spareContainers([first.id]);
    expect(spare?.State).toBe("running");
    expect(
      host()
        .sessions.list()
        .sessions.map((session) => session.sessionId),
    ).toEqual([first.id]);
    await host().sessions.close(first.id, "test done");

    const second = await createSession(host(), { language: "python" });
    try {
      expect(second.sandbox.id).toBe(spare!.Id);
      expect(spare!.Labels[Labels.session]).toBe(second.id);
      expect((await containersOf(second.id)).map((info) => info.Id)).toEqual([spare!.Id]);
      expect(second.createdAt).toBeGreaterThan(first.createdAt);
      const listing = await execute(second, { type: "list_directory" });
      expect(listing.result).toMatchObject({ count: 0 });
      expect((await execute(second, { type: "execute_code", code: "print(6 * 7)" })).result).toBe("42");
    } finally {
      await host().sessions.close(second.id, "test done");
    }
  });

  it("drops a spare whose container died, and starts a working session anyway", async () => {
    const first = await createSession(host(), { language: "python", memoryLimitMB: 384 });
    await host().sessions.pool.settled();
    const spares = await spareContainers([first.id]);
    expect(spares.length).toBeGreaterThan(0);
    await Promise.all(spares.map((spare) => docker.getContainer(spare.Id).kill()));
    await eventually(async () => host().sessions.pool.size === 0, "the pool let the dead spares go");
    const second = await createSession(host(), { language: "python", memoryLimitMB: 384 });
    try {
      expect(spares.map((spare) => spare.Id)).not.toContain(second.sandbox.id);
      expect((await execute(second, { type: "execute_code", code: "print('alive')" })).result).toBe("alive");
    } finally {
      await host().sessions.close(first.id, "test done");
      await host().sessions.close(second.id, "test done");
    }
  });

  it("removes its spares when the host shuts down", async () => {
    await host().sessions.pool.settled();
    const before = (await containersOwnedBy()).length;
    const other = await startHost({ log: silentLogger });
    try {
      const session = await createSession(other, { language: "python" });
      await other.sessions.pool.settled();
      expect(other.sessions.pool.size).toBe(1);
      expect(await containersOwnedBy()).toHaveLength(before + 2); // the other host's session and its spare
      await other.shutdown();
      expect(await containersOf(session.id)).toEqual([]);
      expect(await containersOwnedBy()).toHaveLength(before);
    } finally {
      await other.shutdown();
    }
  });
});

describe.each<IsolationKind>(["gvisor", "process"])("warm pool under %s isolation", (isolation) => {
  const host = useHost();

  it("serves the second session from a spare that runs code", async (test) => {
    const available = await host().isolations.byKind(isolation).available();
    if (!available.ok) return test.skip(available.reason);
    const first = await createSession(host(), { language: "python", isolation });
    await host().sessions.pool.settled();
    expect(host().sessions.pool.size).toBe(1);
    const second = await createSession(host(), { language: "python", isolation });
    try {
      expect(host().sessions.pool.size).toBe(0);
      expect((await execute(second, { type: "list_directory" })).result).toMatchObject({ count: 0 });
      expect((await execute(second, { type: "execute_code", code: "print(6 * 7)" })).result).toBe("42");
    } finally {
      await host().sessions.close(first.id, "test done");
      await host().sessions.close(second.id, "test done");
    }
  });
});

describe("warm pool of a host that dies", () => {
  it("leaves no ready sandbox behind when the host is killed outright", async () => {
    const server = await startServer();
    try {
      const socket = new WebSocket(server.url);
      await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
      const answered = new Promise((resolve) => socket.once("message", resolve));
      socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "session.create", params: { language: "python" } }));
      await answered;
      await eventually(async () => (await containersOwnedBy(server.child.pid!)).length === 2, "the host has its session and a spare");
      socket.terminate();
    } finally {
      server.child.kill("SIGKILL"); // no cleanup code runs: each runner sees its stdin close, ends, and AutoRemove follows
    }
    await eventually(
      async () => (await containersOwnedBy(server.child.pid!)).length === 0,
      "the session's and the spare's containers are gone",
    );
  });
});
