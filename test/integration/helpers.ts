import Docker from "dockerode";
import { resolveEngineConnection } from "../../host/isolation/docker/engine-connection";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { Host, startHost } from "../../host/host";
import { Labels } from "../../host/isolation/docker/container-spec";
import { ownerLabel } from "../../host/isolation/docker/owner";
import { silentLogger } from "../../host/log";
import { Command } from "../../contract/protocol/commands";
import { SessionCreateParams } from "../../contract/protocol/session";
import { executeCommand } from "../../host/commands/execute";
import type { Session } from "../../host/sessions/session";

export const docker = new Docker(resolveEngineConnection().options);

/** A host for the file, in-process; after its tests it shuts down and must leave no container behind. */
export function useHost(
  settings: Parameters<typeof startHost>[0]["settings"] = {},
  history: { dir: string } = { dir: mkdtempSync(join(tmpdir(), "codebeaker-history-")) },
): () => Host {
  let host: Host | undefined;
  beforeAll(async () => {
    host = await startHost({ log: silentLogger, settings, history });
  });
  afterAll(async () => {
    await host?.shutdown();
    expect(await containersOwnedBy()).toEqual([]);
  });
  return () => {
    if (!host) throw new Error("the host has not started");
    return host;
  };
}

export function createSession(host: Host, params: Parameters<typeof SessionCreateParams.parse>[0]): Promise<Session> {
  return host.sessions.create(SessionCreateParams.parse(params));
}

/** Runs a command as session.execute would, from its JSON form (the protocol's defaults applied). */
export function execute(session: Session, command: Record<string, unknown>) {
  return executeCommand(session, Command.parse(command));
}

/** Containers made by the host running in process `pid` (this one, by default), by name. */
export async function containersOwnedBy(pid = process.pid) {
  const owner = `${Labels.owner}=${ownerLabel(pid)}`;
  return (await docker.listContainers({ all: true, filters: { label: [owner] } })).map((info) => info.Names[0]);
}

/** The containers Docker has for a session, running or not. */
export async function containersOf(sessionId: string) {
  return docker.listContainers({ all: true, filters: { label: [`${Labels.session}=${sessionId}`] } });
}

/** Waits until `check` holds, polling; fails with `what` after `timeoutMs`. For state that settles (a removal). */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
