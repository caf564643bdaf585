import { ErrorCodes, RpcError } from "../../contract/protocol/errors";

/**
 * What went wrong, as a name a program can switch on. The library's own refusals come first; the host's
 * JSON-RPC errors keep their meaning under a name, with the number beside it in `jsonRpcCode`.
 */
export type CodeBeakerErrorCode =
  /** An option the library does not know (a typo, or the seed's snake_case), or a value it cannot use. */
  | "INVALID_OPTION"
  /** A language no runtime answers to. */
  | "UNKNOWN_LANGUAGE"
  /** The language has no version `version` names (`data.versions` lists those it has). */
  | "VERSION_MISMATCH"
  /** A call that cannot be made now: run() with nothing to run, a lab that is closing. */
  | "INVALID_CALL"
  /** An event listener threw; the run it listened to had ended and was recorded. */
  | "LISTENER_FAILED"
  /** The host's session had ended (`data`: sessionId and reason); a beaker starts a new one by itself. */
  | "SESSION_ENDED"
  | "INVALID_PARAMS"
  | "INVALID_REQUEST"
  | "METHOD_NOT_FOUND"
  | "INTERNAL_ERROR"
  | "PARSE_ERROR";

const BY_JSON_RPC_CODE: Record<number, CodeBeakerErrorCode> = {
  [ErrorCodes.InvalidParams]: "INVALID_PARAMS",
  [ErrorCodes.InvalidRequest]: "INVALID_REQUEST",
  [ErrorCodes.MethodNotFound]: "METHOD_NOT_FOUND",
  [ErrorCodes.InternalError]: "INTERNAL_ERROR",
  [ErrorCodes.ParseError]: "PARSE_ERROR",
  [ErrorCodes.SessionEnded]: "SESSION_ENDED",
};

/** Every error the library throws: a program that fails is a result, never one of these. */
export class CodeBeakerError extends Error {
  /** The host's JSON-RPC error code, when the host refused the call (-32602 for invalid params, …). */
  readonly jsonRpcCode: number | undefined;
  /** What was wrong, for a program: the option names, the versions, the host's error data. */
  readonly data?: unknown;

  constructor(
    readonly code: CodeBeakerErrorCode,
    message: string,
    options: { data?: unknown; cause?: unknown; jsonRpcCode?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CodeBeakerError";
    this.jsonRpcCode = options.jsonRpcCode;
    if (options.data !== undefined) this.data = options.data;
  }

  /** The error as the library throws it: the host's answers and anything unforeseen become a CodeBeakerError. */
  static from(error: unknown): CodeBeakerError {
    if (error instanceof CodeBeakerError) return error;
    if (error instanceof RpcError) {
      return new CodeBeakerError(BY_JSON_RPC_CODE[error.code] ?? "INTERNAL_ERROR", error.message, {
        data: error.data,
        cause: error,
        jsonRpcCode: error.code,
      });
    }
    const message = error instanceof Error ? error.message : String(error);
    return new CodeBeakerError("INTERNAL_ERROR", message, { cause: error });
  }
}

/** Runs work, turning whatever it throws into a CodeBeakerError. */
export async function asCodeBeakerError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw CodeBeakerError.from(error);
  }
}
