import { ErrorCodes, RpcError } from "../protocol/errors";
import type { CallContext, Dispatcher } from "./dispatcher";

type Id = string | number | null;

interface Response {
  jsonrpc: "2.0";
  id: Id;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

function failure(id: Id, error: RpcError): Response {
  return {
    jsonrpc: "2.0",
    id,
    error: { code: error.code, message: error.message, ...(error.data !== undefined ? { data: error.data } : {}) },
  };
}

/**
 * JSON-RPC 2.0 for transports that carry one JSON text per message (WebSocket): parse errors, invalid
 * requests, notifications and batches, around the same dispatcher the stdio transport uses.
 * Returns the text to send back, or undefined when nothing is owed (notifications).
 */
export async function answerJsonRpcText(text: string, dispatcher: Dispatcher, context: CallContext) {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message;
    return JSON.stringify(failure(null, new RpcError(ErrorCodes.ParseError, `Parse error: ${reason}`)));
  }
  if (Array.isArray(message)) {
    if (message.length === 0) {
      return JSON.stringify(failure(null, new RpcError(ErrorCodes.InvalidRequest, "Invalid Request: empty batch")));
    }
    const answers = await Promise.all(message.map((item) => answer(item, dispatcher, context)));
    const owed = answers.filter((item): item is Response => item !== undefined);
    return owed.length ? JSON.stringify(owed) : undefined;
  }
  const response = await answer(message, dispatcher, context);
  return response && JSON.stringify(response);
}

async function answer(message: unknown, dispatcher: Dispatcher, context: CallContext): Promise<Response | undefined> {
  const problem = invalidRequest(message);
  if (problem) {
    const id = validId((message as { id?: unknown } | null)?.id) ? ((message as { id: Id }).id ?? null) : null;
    return failure(id, new RpcError(ErrorCodes.InvalidRequest, `Invalid Request: ${problem}`));
  }
  const request = message as { id?: Id; method: string; params?: unknown };
  const isNotification = !("id" in request);
  try {
    const result = await dispatcher.call(request.method, request.params, context);
    return isNotification ? undefined : { jsonrpc: "2.0", id: request.id ?? null, result };
  } catch (error) {
    if (isNotification) return undefined;
    const rpcError =
      error instanceof RpcError ? error : new RpcError(ErrorCodes.InternalError, `Internal error: ${String(error)}`);
    return failure(request.id ?? null, rpcError);
  }
}

function invalidRequest(message: unknown): string | undefined {
  if (typeof message !== "object" || message === null) return "a request must be a JSON object";
  const request = message as Record<string, unknown>;
  if (request.jsonrpc !== "2.0") return 'the "jsonrpc" member must be "2.0"';
  if (typeof request.method !== "string") return 'the "method" member must be a string';
  if ("id" in request && !validId(request.id)) return 'the "id" member must be a string, a number or null';
  if ("params" in request && (typeof request.params !== "object" || request.params === null)) {
    return 'the "params" member must be an object (or an array)';
  }
  return undefined;
}

function validId(id: unknown): boolean {
  return id === null || typeof id === "string" || typeof id === "number";
}
