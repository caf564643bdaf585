import { z } from "zod";
import { ErrorCode, ErrorCodes, RpcError } from "./errors";

/**
 * The `data` of an invalid-params error about a value that had the right shape but cannot be used here: the
 * image `dockerImage` names cannot be pulled, the `isolation` asked for is not on this machine. `reason` is why,
 * without the value; a client names its own source of the value (an editor setting) with it.
 */
export const FieldErrorData = z.object({
  field: z.string(),
  value: z.unknown(),
  reason: z.string(),
});
export type FieldErrorData = z.infer<typeof FieldErrorData>;

/** The message is the failure's own (`docker isolation is not available: …`), as the CLI and the log say it. */
export function fieldError(
  field: string,
  value: unknown,
  message: string,
  reason = message,
  code: ErrorCode = ErrorCodes.InvalidParams,
): RpcError {
  const data: FieldErrorData = { field, value, reason };
  return new RpcError(code, message, data);
}
