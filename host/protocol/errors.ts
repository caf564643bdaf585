/** JSON-RPC 2.0 error codes the API guide lists, plus the spec's parse error. */
export const ErrorCodes = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
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
