import { ImageProgress, SessionCreate, SessionList } from "../protocol/methods";
import type { ImageProgressParams } from "../protocol/methods";
import type { RuntimeRegistry } from "../runtimes/registry";
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
  /** Set when the language's earlier sandbox had ended and this one replaced it: its files are gone. */
  replaced: boolean;
}

interface Started {
  sessionId: string;
  version: string;
}

/**
 * One session per language (and version asked for), started on first use and kept: an agent runs code and writes files without
 * managing sessions, and a file it wrote is there for the next run of that language. The host ends an idle
 * session (its idle timeout, its lifetime); the next use starts a new one and says so.
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

  /** The session of a language, or of one of its versions ("3.11"): without a version, the host's default one. */
  async session(language: string, onProgress?: (progress: ImageProgressParams) => void, version?: string): Promise<LanguageSession> {
    // Aliases share their language's session; an unknown name or version goes on to session.create, which says why.
    const name = this.registry.find(language)?.manifest.language ?? language;
    const key = version === undefined ? name : `${name}@${version}`;
    const known = this.sessions.get(key);
    let replaced = false;
    if (known) {
      const started = await known;
      if (await this.isOpen(started.sessionId)) return { ...started, language: name, replaced };
      if (this.sessions.get(key) === known) this.sessions.delete(key);
      replaced = true;
    }
    let starting = this.sessions.get(key);
    if (!starting) {
      starting = this.start(name, version, onProgress);
      this.sessions.set(key, starting);
      const started = starting;
      // A failed start is not kept: the next call tries again (the engine may be back, the name corrected).
      started.catch(() => this.sessions.get(key) === started && this.sessions.delete(key));
    }
    return { ...(await starting), language: name, replaced };
  }

  private async start(language: string, version: string | undefined, onProgress?: (progress: ImageProgressParams) => void): Promise<Started> {
    const params = { language, ...(version === undefined ? {} : { version }), ...this.template };
    const created = await this.host.call(SessionCreate, params, (notification) => {
      if (notification.method === ImageProgress.method) onProgress?.(notification.params as ImageProgressParams);
    });
    return { sessionId: created.sessionId, version: created.version };
  }

  private async isOpen(sessionId: string): Promise<boolean> {
    const { sessions } = await this.host.call(SessionList, {});
    return sessions.some((session) => session.sessionId === sessionId);
  }
}
