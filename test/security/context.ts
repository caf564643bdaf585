import { expect } from "vitest";
import type { Host } from "../../host/host";
import type { IsolationKind } from "../../host/isolation/backend";
import { ErrorCodes, RpcError } from "../../contract/protocol/errors";
import type { SessionExecuteResult } from "../../contract/protocol/session";
import type { Session } from "../../host/sessions/session";

/** What an escape attempt can use: the session, the host, and bait the test planted outside the sandbox. */
export interface AttemptContext {
  kind: IsolationKind;
  host: Host;
  session: Session;
  /** A TCP server on this machine (all interfaces) and the addresses it can be reached at from outside. */
  server: { port: number; addresses: string[] };
  /** Files the test wrote on this machine; nothing in a sandbox may read or change them. */
  canaries: { path: string; content: string }[];
  /** An environment variable the host process has and no sandbox may see. */
  secretEnv: { name: string; value: string };
  /** session.execute through the dispatcher, as a client would send it. */
  execute(command: Record<string, unknown>): Promise<SessionExecuteResult>;
  /** The same, for a request the protocol must refuse: resolves with the JSON-RPC error. */
  refused(command: Record<string, unknown>): Promise<RpcError>;
}

export interface EscapeCase {
  name: string;
  /** The case ends or spoils its session (or needs other limits): it gets a session of its own. */
  ownSession?: Record<string, unknown>;
  /** The backends the case concerns; all by default. */
  kinds?: IsolationKind[];
  attempt(context: AttemptContext): Promise<void>;
}

/** Runs Python in the sandbox and returns its stdout. */
export async function python(context: AttemptContext, code: string, extra: Record<string, unknown> = {}) {
  return context.execute({ type: "execute_code", code, ...extra });
}

export async function shell(context: AttemptContext, script: string, extra: Record<string, unknown> = {}) {
  return context.execute({ type: "execute_shell", commandName: "sh", args: ["-c", script], ...extra });
}

/** The sandbox holds no process of the attempt: only its runner, PID 1, is left (seen from a new run). */
export async function expectOnlyRunner(context: AttemptContext): Promise<void> {
  const seen = await python(
    context,
    "import os\nme = os.getpid()\nprint(sorted(int(p) for p in os.listdir('/proc') if p.isdigit() and int(p) != me))",
  );
  expect(seen.stdout).toBe("[1]\n");
}

/** session.create through the dispatcher, for parameters the host must refuse: resolves with the JSON-RPC error. */
export async function refusedSession(context: AttemptContext, params: Record<string, unknown>): Promise<RpcError> {
  const before = context.host.sessions.list().count;
  try {
    const created = (await context.host.dispatcher.call("session.create", params, { notify() {} })) as { sessionId: string };
    await context.host.sessions.close(created.sessionId, "should have been refused");
  } catch (error) {
    if (!(error instanceof RpcError)) throw error;
    expect(context.host.sessions.list().count).toBe(before);
    return error;
  }
  throw new Error(`the host accepted session.create ${JSON.stringify(params)}`);
}

export function expectInvalidParams(error: RpcError, field: RegExp): void {
  expect(error.code).toBe(ErrorCodes.InvalidParams);
  expect(error.message).toMatch(field);
}
