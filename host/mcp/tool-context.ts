import { randomUUID } from "node:crypto";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { CallToolResult, ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "../log";
import { RpcError } from "../../contract/protocol/errors";
import type { HistoryRun } from "../../contract/protocol/history";
import { HistoryChanged, RunStop, SessionExecute } from "../../contract/protocol/methods";
import type { ImageProgressParams } from "../../contract/protocol/methods";
import type { SessionExecuteParams, SessionExecuteResult } from "../../contract/protocol/session";
import { errorResult } from "./results";
import type { HostCalls } from "./host-calls";
import type { LanguageSession, LanguageSessions } from "./language-sessions";

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** What every tool works with. */
export interface ToolContext {
  host: HostCalls;
  sessions: LanguageSessions;
  /** The history workspace of this server's runs. */
  workspace: string;
  log: Logger;
}

export interface Execution {
  answer: SessionExecuteResult;
  session: LanguageSession;
  /** The history entry the run became (runs of a file only). */
  recorded: HistoryRun | undefined;
}

/** Runs one session.execute command in the language's session (see inSession). */
export async function executeIn(
  context: ToolContext,
  language: string,
  command: SessionExecuteParams["command"],
  extra: ToolExtra,
  version?: string,
): Promise<Execution> {
  return inSession(context, language, version, extra, async (session, runId) => {
    let recorded: HistoryRun | undefined;
    const answer = await context.host.call(SessionExecute, { sessionId: session.sessionId, command, runId }, (notification) => {
      if (notification.method === HistoryChanged.method) recorded = (notification.params as { run: HistoryRun }).run;
    });
    return { answer, session, recorded };
  });
}

/**
 * `work` in the language's session (a new one when the host says the last has ended), with a runId to give the
 * host: a client that cancels the tool call stops what runs under it (run.stop). A first use that builds the
 * runtime's image reports progress when the client asked.
 */
export async function inSession<T>(
  context: ToolContext,
  language: string,
  version: string | undefined,
  extra: ToolExtra,
  work: (session: LanguageSession, runId: string) => Promise<T>,
): Promise<T> {
  return context.sessions.within(language, version, progressReporter(context, extra), async (session) => {
    // Cancelled while its sandbox started: nothing to stop, and nobody waits for the answer.
    if (extra.signal.aborted) throw new Error("the client cancelled the call");
    const runId = `mcp-${randomUUID()}`;
    const stop = () => void context.host.call(RunStop, { runId }).catch(() => undefined);
    extra.signal.addEventListener("abort", stop, { once: true });
    try {
      return await work(session, runId);
    } finally {
      extra.signal.removeEventListener("abort", stop);
    }
  });
}

/** Image build steps as MCP progress: a client that resets its timeout on progress waits out a first build. */
function progressReporter(context: ToolContext, extra: ToolExtra): (progress: ImageProgressParams) => void {
  let count = 0;
  return (progress) => {
    if (progress.phase !== "step") context.log.info(progress.message);
    const progressToken = extra._meta?.progressToken;
    if (progressToken === undefined) return;
    const params = { progressToken, progress: ++count, message: progress.message };
    // A failed send means the client has gone: the tool's own answer will not reach it either.
    void extra.sendNotification({ method: "notifications/progress", params }).catch(() => undefined);
  };
}

/**
 * A tool's handler that answers every failure as a failed tool call with the host's message; an error that
 * is not the host's (a bug here) is logged with its stack too.
 */
export function guarded<A>(
  log: Logger,
  name: string,
  handler: (args: A, extra: ToolExtra) => Promise<CallToolResult>,
): (args: A, extra: ToolExtra) => Promise<CallToolResult> {
  return async (args, extra) => {
    try {
      return await handler(args, extra);
    } catch (error) {
      if (!(error instanceof RpcError) && !extra.signal.aborted)
        log.error(`${name} failed: ${error instanceof Error ? error.stack : String(error)}`);
      return errorResult(error);
    }
  };
}
