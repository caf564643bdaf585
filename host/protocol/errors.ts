/** JSON-RPC 2.0 error codes the API guide lists, plus the spec's parse error. */
export const ErrorCodes = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  // Server errors (the spec leaves -32000 to -32099 to the implementation): understood, and refused for a reason
  // the client can act on; `data` says which.
  /** The host has as many sessions open as it allows: `data` {maxSessions}. */
  TooManySessions: -32001,
  /** The isolation asked for cannot run here, or not as asked: `data` {isolation, reason}. */
  IsolationUnavailable: -32002,
  /** A file in a session's /workspace could not be written or read outside a command: `data` {code, path}. */
  FileError: -32003,
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** An error that reaches the client as a JSON-RPC error with this code and message. */
export class RpcError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = "RpcError";
  }
}

export function invalidParams(message: string, data?: unknown): RpcError {
  return new RpcError(ErrorCodes.InvalidParams, `Invalid params: ${message}`, data);
}
