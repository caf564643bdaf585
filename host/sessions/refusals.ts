import { CustomImageError, IsolationUnavailableError } from "../isolation/backend";
import { PackageInstallError } from "../isolation/docker/packages-image";
import { ErrorCodes } from "../../contract/protocol/errors";
import { fieldError } from "../../contract/protocol/field-error";
import type { Isolation, SessionCreateParams } from "../../contract/protocol/session";

/**
 * A session that could not be created because of what it asked for (its params, or the host's settings below
 * them), as an error naming that field and value in its data (invalid params; isolation unavailable for a backend), with the failure's own message;
 * any other failure is the host's own, left as it is (an internal error).
 */
export function refusal(error: unknown, params: Pick<SessionCreateParams, "dockerImage" | "packages">, isolation: Isolation): unknown {
  // Not the host's fault, nor a malformed request: this machine cannot give what was asked (no engine, no runsc).
  if (error instanceof IsolationUnavailableError)
    return fieldError("isolation", isolation, error.message, error.message, ErrorCodes.IsolationUnavailable);
  if (error instanceof CustomImageError && error.image === params.dockerImage) {
    return fieldError("dockerImage", params.dockerImage, error.message, error.reason);
  }
  if (error instanceof PackageInstallError) return fieldError("packages", params.packages, error.message);
  return error;
}
