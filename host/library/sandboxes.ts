import { ErrorCodes } from "../../contract/protocol/errors";
import { SessionClose, SessionCreate } from "../../contract/protocol/methods";
import type { CommandOverrides } from "../../contract/protocol/session";
import { RuntimeConfig, sessionParams } from "./config";
import { CodeBeakerError } from "./errors";
import type { Lab } from "./lab";

/**
 * What a sandbox is made of. A beaker's runs share one sandbox; a run that asks for another language, another
 * memory limit (anything session.create fixes) runs in a sandbox of its own, kept for the runs like it.
 */
export interface SandboxSpec {
  /** The runtime's own name (not an alias): runs in "js" and "javascript" share a sandbox. */
  language: string;
  config: RuntimeConfig;
  /** The command lines of a runtime registered as a class, for the file this sandbox runs. */
  commands?: CommandOverrides;
}

/**
 * A beaker's sandboxes (host sessions), by what they are made of: started on first use, started again when one
 * ended behind the beaker's back (idle timeout, maximum lifetime), all closed together.
 */
export class Sandboxes {
  private readonly sessions = new Map<string, Promise<string>>();

  constructor(
    private readonly lab: Lab,
    private readonly workspace: string,
    private readonly onFirstStart: () => void,
  ) {}

  /** Calls with the session of this spec; if that session has ended, once more with a new one. */
  async with<T>(spec: SandboxSpec, work: (sessionId: string) => Promise<T>): Promise<T> {
    const key = JSON.stringify(this.params(spec)); // the version is among them
    for (let attempt = 0; ; attempt++) {
      const session = this.session(key, spec);
      const sessionId = await session;
      try {
        return await work(sessionId);
      } catch (error) {
        if (attempt > 0 || !hasEnded(error)) throw error;
        if (this.sessions.get(key) === session) this.sessions.delete(key);
      }
    }
  }

  /** Ends every session; a later call starts new ones. */
  async closeAll(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    const ids = await Promise.all(sessions.map((session) => session.catch(() => undefined)));
    await Promise.all(ids.map((sessionId) => sessionId && this.lab.call(SessionClose, { sessionId }).catch(ignoreEnded)));
  }

  private session(key: string, spec: SandboxSpec): Promise<string> {
    let session = this.sessions.get(key);
    if (!session) {
      if (this.sessions.size === 0) this.onFirstStart();
      session = this.start(spec);
      this.sessions.set(key, session);
      // A failed start may be retried by the next call.
      session.catch(() => this.sessions.get(key) === session && this.sessions.delete(key));
    }
    return session;
  }

  private async start(spec: SandboxSpec): Promise<string> {
    try {
      return (await this.lab.call(SessionCreate, this.params(spec))).sessionId;
    } catch (error) {
      throw versionMismatch(error) ?? error;
    }
  }

  private params(spec: SandboxSpec) {
    const params = sessionParams(spec.language, spec.config, this.workspace);
    return spec.commands ? { ...params, commands: spec.commands } : params;
  }
}

/** The host's -32602 for a version the language does not have (its data lists those it has), as VERSION_MISMATCH. */
function versionMismatch(error: unknown): CodeBeakerError | undefined {
  const refused = CodeBeakerError.from(error);
  const data = refused.data as { versions?: unknown } | undefined;
  if (refused.jsonRpcCode !== ErrorCodes.InvalidParams || !Array.isArray(data?.versions)) return undefined;
  return new CodeBeakerError("VERSION_MISMATCH", refused.message, { data, cause: error, jsonRpcCode: refused.jsonRpcCode });
}

/** The host's SessionEnded: the one error a beaker starts a new session for. */
function hasEnded(error: unknown): boolean {
  return CodeBeakerError.from(error).code === "SESSION_ENDED";
}

function ignoreEnded(error: unknown): void {
  if (!hasEnded(error)) throw error;
}
