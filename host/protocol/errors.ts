/** JSON-RPC 2.0 error codes the API guide lists, plus the spec's parse error. */
export const ErrorCodes = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
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
