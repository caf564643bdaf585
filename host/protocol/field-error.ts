import { z } from "zod";
import { invalidParams, RpcError } from "./errors";

/**
 * The `data` of an invalid-params error about a value that had the right shape but cannot be used here: the
 * image `dockerImage` names cannot be pulled, the `isolation` asked for is not on this machine. A client names
 * its own source of the value (an editor setting) with it.
 */
export const FieldErrorData = z.object({
  field: z.string(),
  value: z.unknown(),
  reason: z.string(),
});
export type FieldErrorData = z.infer<typeof FieldErrorData>;

export function fieldError(field: string, value: unknown, reason: string): RpcError {
  const data: FieldErrorData = { field, value, reason };
  return invalidParams(`${field}: ${JSON.stringify(value)} cannot be used: ${reason}`, data);
}
