import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, Server } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Host, startHost } from "../../host/host";
import type { IsolationKind } from "../../host/isolation/backend";
import { silentLogger } from "../../host/log";
import { RpcError } from "../../contract/protocol/errors";
import { SessionCreateParams, SessionExecuteResult } from "../../contract/protocol/session";
import type { Session } from "../../host/sessions/session";
import { containersOf } from "../integration/helpers";
import { AttemptContext, EscapeCase } from "./context";
import { filesystemCases } from "./cases/filesystem";
import { networkCases } from "./cases/network";
import { pathCases } from "./cases/paths";
import { privilegeCases } from "./cases/privileges";
import { imageCases } from "./cases/images";
import { resourceCases } from "./cases/resources";
import { runtimeCases } from "./cases/runtimes";
import { syncCases } from "./cases/sync";

/**
 * The escape suite: every case on every backend this machine has. A case asserts that the attempt is
 * contained and classified right; after it, the host still answers and, where the session lives on, nothing of
 * the attempt is left running. CI sets CODEBEAKER_REQUIRE_ISOLATION=docker,gvisor,process so that a missing
 * backend fails the suite instead of skipping it.
 */
const CASES: EscapeCase[] = [
  ...networkCases,
  ...filesystemCases,
  ...privilegeCases,
  ...resourceCases,
  ...pathCases,
  ...syncCases,
  ...imageCases,
  ...runtimeCases,
];
const KINDS: IsolationKind[] = ["docker", "gvisor", "process"];
const required = (process.env.CODEBEAKER_REQUIRE_ISOLATION ?? "").split(",").filter(Boolean);

const secretEnv = { name: "CODEBEAKER_TEST_SECRET", value: randomBytes(12).toString("hex") };
process.env[secretEnv.name] = secretEnv.value;

let host: Host;
let server: Server;
let accepted = 0;
const canaryDir = mkdtempSync(join(tmpdir(), "codebeaker-canary-"));
const canaries = [join(canaryDir, "secret.txt"), `/etc/codebeaker-canary-${process.pid}`].map((path) => ({
  path,
  content: `canary ${randomBytes(8).toString("hex")}`,
}));

beforeAll(async () => {
  for (const canary of canaries) writeFileSync(canary.path, canary.content, { mode: 0o644 });
  server = createServer((socket) => {
    accepted++;
    socket.end("you reached the host\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "0.0.0.0", resolve));
  host = await startHost({ log: silentLogger });
});

afterAll(async () => {
  await host?.shutdown();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  for (const canary of canaries) rmSync(canary.path, { force: true });
  rmSync(canaryDir, { recursive: true, force: true });
  expect(accepted).toBe(0); // no sandbox ever reached the server
});

function hostAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((address) => address && address.family === "IPv4")
    .map((address) => address!.address);
}

for (const kind of KINDS) {
  describe(`escape attempts under ${kind} isolation`, () => {
    let available: { ok: true } | { ok: false; reason: string } = { ok: false, reason: "not checked" };
    let shared: Session | undefined;
    const sessions: Session[] = [];

    beforeAll(async () => {
      available = await host.isolations.byKind(kind).available();
      if (!available.ok && required.includes(kind)) throw new Error(`${kind} isolation is required here: ${available.reason}`);
    });

    afterAll(async () => {
      for (const session of sessions) {
        await host.sessions.close(session.id, "suite done").catch(() => undefined);
        if (kind === "process") {
          // The sandbox was the bwrap process itself: it, and so its whole PID namespace, must be gone.
          const pid = /^bwrap-(\d+)$/.exec(session.sandbox.id)?.[1];
          expect(pid && existsSync(`/proc/${pid}`)).toBe(false);
        } else {
          expect(await containersOf(session.id)).toEqual([]);
        }
      }
    });

    const open = async (params: Record<string, unknown>) => {
      const session = await host.sessions.create(SessionCreateParams.parse({ language: "python", isolation: kind, ...params }));
      sessions.push(session);
      return session;
    };

    for (const escape of CASES) {
      it(escape.name, async (test) => {
        if (escape.kinds && !escape.kinds.includes(kind)) {
          test.skip(`only for ${escape.kinds.join(", ")} isolation`);
          return;
        }
        if (!available.ok) {
          test.skip(`${kind} isolation is not available here: ${available.reason}`);
          return;
        }
        const session = escape.ownSession ? await open(escape.ownSession) : (shared ??= await open({}));
        const context = attemptContext(kind, session);
        await escape.attempt(context);
        // The host answers, whatever the attempt did to its own session.
        expect(((await host.dispatcher.call("session.list", {}, { notify() {} })) as { count: number }).count).toBeGreaterThanOrEqual(0);
      });
    }
  });
}

function attemptContext(kind: IsolationKind, session: Session): AttemptContext {
  const call = (command: Record<string, unknown>) =>
    host.dispatcher.call("session.execute", { sessionId: session.id, command }, { notify() {} });
  return {
    kind,
    host,
    session,
    server: { port: (server.address() as { port: number }).port, addresses: hostAddresses() },
    canaries,
    secretEnv,
    execute: async (command) => (await call(command)) as SessionExecuteResult,
    refused: async (command) => {
      try {
        await call(command);
      } catch (error) {
        if (error instanceof RpcError) return error;
        throw error;
      }
      throw new Error(`the host accepted ${JSON.stringify(command)}`);
    },
  };
}
