import { ImageProgress, SessionCreate } from "../../contract/protocol/methods";
import type { ImageProgressParams } from "../../contract/protocol/methods";
import { endedSession } from "../../contract/protocol/session-ended";
import type { RuntimeRegistry } from "../../contract/runtimes/registry";
import type { HostCalls } from "./host-calls";

/** What every session of the MCP server is created with, besides its language. */
export interface SessionTemplate {
  /** The history workspace its runs are recorded in. */
  workspace: string;
  outputLimitBytes: number;
  /** Keep each language's toolchain warm (docs/WARM.md); false with `codebeaker mcp --cold`. */
  warm: boolean;
}

export interface LanguageSession {
  sessionId: string;
  language: string;
  /** The language version the session runs ("3.13"). */
  version: string;
  /** Why the language's earlier session ended, when this one replaced it (its files are gone); else null. */
  replacedBecause: string | null;
}

interface Started {
  sessionId: string;
  version: string;
}

type OnProgress = (progress: ImageProgressParams) => void;

/**
 * One session per language (and version asked for), started on first use and kept: an agent runs code and writes files without
 * managing sessions, and a file it wrote is there for the next run of that language. The host ends an idle
 * session (its idle timeout, its lifetime, a lost sandbox) and says so when the next call names it
 * (SessionEnded): that call runs again in a new session, which says why the old one went.
 */
export class LanguageSessions {
  private readonly sessions = new Map<string, Promise<Started>>();

  constructor(
    private readonly host: HostCalls,
    private readonly registry: RuntimeRegistry,
    private readonly template: SessionTemplate,
  ) {}

  /** The language ids an agent may name (aliases are accepted too). */
  languages(): string[] {
    return this.registry.languages();
  }

  /**
   * `work` in the session of a language, or of one of its versions ("3.11"; without one, the host's default).
   * When the host answers that the session has ended, a new one starts and `work` runs once more, in it.
   */
  async within<T>(
    language: string,
    version: string | undefined,
    onProgress: OnProgress | undefined,
    work: (session: LanguageSession) => Promise<T>,
  ): Promise<T> {
    // Aliases share their language's session; an unknown name or version goes on to session.create, which says why.
    const name = this.registry.find(language)?.manifest.language ?? language;
    const key = version === undefined ? name : `${name}@${version}`;
    const first = this.started(key, name, version, onProgress);
    const session = await first;
    try {
      return await work({ ...session, language: name, replacedBecause: null });
    } catch (error) {
      const ended = endedSession(error);
      if (ended?.sessionId !== session.sessionId) throw error;
      // Calls that overlapped may both hear it: the first to get here starts the new session, the rest use it.
      if (this.sessions.get(key) === first) this.sessions.delete(key);
      const next = await this.started(key, name, version, onProgress);
      return work({ ...next, language: name, replacedBecause: ended.reason });
    }
  }

  private started(key: string, language: string, version: string | undefined, onProgress: OnProgress | undefined): Promise<Started> {
    let starting = this.sessions.get(key);
    if (!starting) {
      starting = this.start(language, version, onProgress);
      this.sessions.set(key, starting);
      const started = starting;
      // A failed start is not kept: the next call tries again (the engine may be back, the name corrected).
      started.catch(() => this.sessions.get(key) === started && this.sessions.delete(key));
    }
    return starting;
  }

  private async start(language: string, version: string | undefined, onProgress: OnProgress | undefined): Promise<Started> {
    const params = { language, ...(version === undefined ? {} : { version }), ...this.template };
    const created = await this.host.call(SessionCreate, params, (notification) => {
      if (notification.method === ImageProgress.method) onProgress?.(notification.params as ImageProgressParams);
    });
    return { sessionId: created.sessionId, version: created.version };
  }
}
