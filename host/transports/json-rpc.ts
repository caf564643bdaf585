import { ErrorCodes, RpcError } from "../../contract/protocol/errors";
import type { CallContext, Dispatcher } from "../methods/dispatcher";

type Id = string | number | null;

interface Response {
  jsonrpc: "2.0";
  id: Id;
  result?: unknown;
  error?: { code: number; message: string; data: unknown };
}

function failure(id: Id, error: RpcError): Response {
  return { jsonrpc: "2.0", id, error: { code: error.code, message: error.message, data: error.data } };
}

/** The error reply to a message that could not be read at all (no JSON, a broken frame): its id is unknown. */
export function parseErrorReply(reason: string, data?: string): string {
  return JSON.stringify(failure(null, new RpcError(ErrorCodes.ParseError, `Parse error: ${reason}`, data)));
}

/**
 * JSON-RPC 2.0 for one JSON text (a WebSocket frame, a Content-Length framed stdio message): parse errors,
 * invalid requests, notifications and batches, around the dispatcher every transport uses.
 * Returns the text to send back, or undefined when nothing is owed (notifications).
 */
export async function answerJsonRpcText(text: string, dispatcher: Dispatcher, context: CallContext) {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch (error) {
    return parseErrorReply((error as Error).message);
  }
  if (Array.isArray(message)) {
    if (message.length === 0) {
      return JSON.stringify(
        failure(null, new RpcError(ErrorCodes.InvalidRequest, "Invalid Request: empty batch", "batch: an empty array holds no request")),
      );
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
    return failure(id, new RpcError(ErrorCodes.InvalidRequest, `Invalid Request: ${problem.message}`, problem.data));
  }
  const request = message as { id?: Id; method: string; params?: unknown };
  const isNotification = !("id" in request);
  try {
    const result = await dispatcher.call(request.method, request.params, context);
    return isNotification ? undefined : { jsonrpc: "2.0", id: request.id ?? null, result };
  } catch (error) {
    if (isNotification) return undefined;
    const rpcError = error instanceof RpcError ? error : new RpcError(ErrorCodes.InternalError, `Internal error: ${String(error)}`);
    return failure(request.id ?? null, rpcError);
  }
}

/** What makes a message not a JSON-RPC 2.0 request: the sentence, and the member with the value it had. */
function invalidRequest(message: unknown): { message: string; data: string } | undefined {
  if (typeof message !== "object" || message === null) {
    return { message: "a request must be a JSON object", data: `request: must be a JSON object (got ${shown(message)})` };
  }
  const request = message as Record<string, unknown>;
  if (request.jsonrpc !== "2.0") {
    return { message: 'the "jsonrpc" member must be "2.0"', data: `jsonrpc: must be "2.0" (got ${shownMember(request, "jsonrpc")})` };
  }
  if (typeof request.method !== "string") {
    return { message: 'the "method" member must be a string', data: `method: must be a string (got ${shownMember(request, "method")})` };
  }
  if ("id" in request && !validId(request.id)) {
    return {
      message: 'the "id" member must be a string, a number or null',
      data: `id: must be a string, a number or null (got ${shown(request.id)})`,
    };
  }
  if ("params" in request && (typeof request.params !== "object" || request.params === null)) {
    return {
      message: 'the "params" member must be an object (or an array)',
      data: `params: must be an object or an array (got ${shown(request.params)})`,
    };
  }
  return undefined;
}

function validId(id: unknown): boolean {
  return id === null || typeof id === "string" || typeof id === "number";
}

function shownMember(request: Record<string, unknown>, member: string): string {
  return member in request ? shown(request[member]) : "nothing";
}

/** A value as JSON, cut short: enough to recognise it in an error. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
