import * as vscode from "vscode";
import { SessionClose, SessionCreate } from "../contract/protocol/methods";
import type { SessionCreateParams, SessionCreateResult } from "../contract/protocol/session";
import type { HostConnection } from "./host-connection";
import { SessionMirror } from "./mirror/mirror";

export interface PooledSession {
  info: SessionCreateResult;
  mirror: SessionMirror;
}

/**
 * The sessions this window uses: one per folder, language and settings, created on first use and kept warm, so a
 * second run starts at once. When the host restarts, or a session ends, the next run creates it again.
 */
export class SessionPool implements vscode.Disposable {
  private readonly sessions = new Map<string, Promise<PooledSession>>();

  constructor(private readonly host: HostConnection) {
    host.onDidRestart(() => this.sessions.clear());
  }

  get(scope: string, params: SessionCreateParams): Promise<PooledSession> {
    const key = `${scope}\n${JSON.stringify(params)}`;
    let session = this.sessions.get(key);
    if (!session) {
      session = this.host.request(SessionCreate.type, params).then((info) => ({ info, mirror: new SessionMirror() }));
      this.sessions.set(key, session);
      session.catch(() => this.sessions.delete(key)); // a failed start is not kept: the next run tries again
    }
    return session;
  }

  /** Forgets a session the host no longer has (it expired or its sandbox stopped). */
  forget(sessionId: string): void {
    for (const [key, session] of this.sessions) {
      void session.then(
        (pooled) => pooled.info.sessionId === sessionId && this.sessions.delete(key),
        () => undefined,
      );
    }
  }

  async closeAll(): Promise<number> {
    const open = await Promise.allSettled([...this.sessions.values()]);
    this.sessions.clear();
    const ids = open.flatMap((result) => (result.status === "fulfilled" ? [result.value.info.sessionId] : []));
    await Promise.allSettled(ids.map((sessionId) => this.host.request(SessionClose.type, { sessionId })));
    return ids.length;
  }

  dispose(): void {
    void this.closeAll();
  }
}
