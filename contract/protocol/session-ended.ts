import { z } from "zod";
import { ErrorCodes, RpcError } from "./errors";

/**
 * The `data` of a SessionEnded error (-32004): the session a call named existed and has ended, and why, as the
 * host said it when it ended ("it was closed by session.close", "it was idle for 30 minutes", "its sandbox
 * stopped unexpectedly"). A client that keeps sessions starts a new one on this, and on nothing else.
 */
export const SessionEndedData = z.object({
  sessionId: z.string(),
  reason: z.string(),
});
export type SessionEndedData = z.infer<typeof SessionEndedData>;

/** The host's answer to a call on an ended session; the message is the one -32602 carried before this code. */
export function sessionEnded(sessionId: string, reason: string): RpcError {
  const data: SessionEndedData = { sessionId, reason };
  return new RpcError(ErrorCodes.SessionEnded, `Invalid params: sessionId: session ${sessionId} has ended: ${reason}`, data);
}

/**
 * Which session had ended and why, when `error` is a SessionEnded error as any JSON-RPC client carries one (a
 * numeric `code` and `data`: the host's RpcError, vscode-jsonrpc's ResponseError); otherwise undefined.
 */
export function endedSession(error: unknown): SessionEndedData | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { code, data } = error as { code?: unknown; data?: unknown };
  if (code !== ErrorCodes.SessionEnded) return undefined;
  const parsed = SessionEndedData.safeParse(data);
  return parsed.success ? parsed.data : undefined;
}
