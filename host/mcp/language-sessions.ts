import { ImageProgress, SessionCreate, SessionList } from "../protocol/methods";
import type { ImageProgressParams } from "../protocol/methods";
import type { RuntimeRegistry } from "../runtimes/registry";
import type { HostCalls } from "./host-calls";

/** What every session of the MCP server is created with, besides its language. */
export interface SessionTemplate {
  /** The history workspace its runs are recorded in. */
  workspace: string;
  outputLimitBytes: number;
}

export interface LanguageSession {
  sessionId: string;
  language: string;
  /** Set when the language's earlier sandbox had ended and this one replaced it: its files are gone. */
  replaced: boolean;
}

/**
 * One session per language, started on first use and kept: an agent runs code and writes files without
 * managing sessions, and a file it wrote is there for the next run of that language. The host ends an idle
 * session (its idle timeout, its lifetime); the next use starts a new one and says so.
 */
export class LanguageSessions {
  private readonly sessions = new Map<string, Promise<string>>();

  constructor(
    private readonly host: HostCalls,
    private readonly registry: RuntimeRegistry,
    private readonly template: SessionTemplate,
  ) {}

  /** The language ids an agent may name (aliases are accepted too). */
  languages(): string[] {
    return this.registry.languages();
  }

  async session(language: string, onProgress?: (progress: ImageProgressParams) => void): Promise<LanguageSession> {
    // Aliases share their language's session; an unknown name goes on to session.create, which says why.
    const key = this.registry.find(language)?.manifest.language ?? language;
    const known = this.sessions.get(key);
    let replaced = false;
    if (known) {
      const sessionId = await known;
      if (await this.isOpen(sessionId)) return { sessionId, language: key, replaced };
      if (this.sessions.get(key) === known) this.sessions.delete(key);
      replaced = true;
    }
    let starting = this.sessions.get(key);
    if (!starting) {
      starting = this.start(key, onProgress);
      this.sessions.set(key, starting);
      const started = starting;
      // A failed start is not kept: the next call tries again (the engine may be back, the name corrected).
      started.catch(() => this.sessions.get(key) === started && this.sessions.delete(key));
    }
    return { sessionId: await starting, language: key, replaced };
  }

  private async start(language: string, onProgress?: (progress: ImageProgressParams) => void): Promise<string> {
    const created = await this.host.call(SessionCreate, { language, ...this.template }, (notification) => {
      if (notification.method === ImageProgress.method) onProgress?.(notification.params as ImageProgressParams);
    });
    return created.sessionId;
  }

  private async isOpen(sessionId: string): Promise<boolean> {
    const { sessions } = await this.host.call(SessionList, {});
    return sessions.some((session) => session.sessionId === sessionId);
  }
}
