/** JSON-RPC 2.0 error codes the API guide lists, plus the spec's parse error. */
export const ErrorCodes = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  // Server errors (the spec leaves -32000 to -32099 to the implementation): understood, and refused for a reason
  // the client can act on; `data` says which.
  /** The host has as many sessions open as it allows. */
  TooManySessions: -32001,
  /** The isolation asked for cannot run here, or not as asked. */
  IsolationUnavailable: -32002,
  /** A file in a session's /workspace could not be written or read outside a command; `data` names it and its code. */
  FileError: -32003,
  /** The session named existed and has ended (closed, expired, its sandbox lost); `data` is `{sessionId, reason}`. */
  SessionEnded: -32004,
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** The titles messages open with ("Invalid params: …"); what follows the title is what was wrong. */
const TITLE = /^(Parse error|Invalid Request|Method not found|Invalid params|Internal error): /;

/**
 * An error that reaches the client as a JSON-RPC error with this code, message and `data`. The guide's error
 * shape always has `data`: what was wrong, naming the field or id where there is one. Given none, it is the
 * message without its title ("sessionId: no session x" for "Invalid params: sessionId: no session x").
 */
export class RpcError extends Error {
  readonly data: unknown;

  constructor(
    readonly code: ErrorCode,
    message: string,
    data?: unknown,
  ) {
    super(message);
    this.name = "RpcError";
    this.data = data ?? message.replace(TITLE, "");
  }
}

export function invalidParams(message: string, data?: unknown): RpcError {
  return new RpcError(ErrorCodes.InvalidParams, `Invalid params: ${message}`, data);
}
