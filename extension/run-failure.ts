import { ErrorCodes } from "../contract/protocol/errors";
import { FieldErrorData } from "../contract/protocol/field-error";

/** Why a run could not start or finish, said for the user. */
export interface RunFailure {
  /** What went wrong and what to do about it. */
  message: string;
  /** The setting whose value is the cause, to open (`codebeaker.languages`), when one is. */
  setting?: string;
  /** A fault of CodeBeaker itself, not of what the user asked: its log has the details. */
  internal: boolean;
}

/** The session params the host names in a refusal, and the settings they come from (extension/session-params.ts). */
function settingOf(field: string, language: string): { shown: string; id: string } | null {
  if (field === "dockerImage") return { shown: `codebeaker.languages.${language}.image`, id: "codebeaker.languages" };
  if (field === "isolation") return { shown: "codebeaker.isolation", id: "codebeaker.isolation" };
  return null;
}

/** What to do when the isolation asked for cannot be used here, beyond what the host said. */
const ISOLATION_ADVICE: Readonly<Record<string, string>> = {
  docker: "start the Docker engine, or choose another isolation",
  gvisor: "install gVisor (runsc) in the Docker engine, or choose another isolation",
  process: "choose docker isolation",
  auto: "start the Docker engine, or install what is missing",
};

/**
 * A failed run's error as the user should read it. The host refuses a value it cannot use with invalid params
 * and the field in `data`: that names the setting it came from and its value. "Internal error" stays only for
 * the host's own faults; the extension's own errors (Restricted Mode without Docker) are said as they are.
 */
export function describeRunFailure(error: unknown, language: string): RunFailure {
  const reply = responseError(error);
  if (!reply) return { message: error instanceof Error ? error.message : String(error), internal: false };
  if (reply.code === ErrorCodes.InternalError) return { message: reply.message, internal: true };
  const refusal = FieldErrorData.safeParse(reply.data);
  const setting = refusal.success ? settingOf(refusal.data.field, language) : null;
  if (!refusal.success || !setting) return { message: reply.message.replace(/^Invalid params: /, ""), internal: false };
  const { field, value, reason } = refusal.data;
  const shown = JSON.stringify(value);
  if (field === "isolation") {
    const advice = ISOLATION_ADVICE[String(value)] ?? "choose another isolation";
    return { message: `${reason}. The setting ${setting.shown} is ${shown}: ${advice}.`, setting: setting.id, internal: false };
  }
  return {
    message: `the setting ${setting.shown} names ${shown}, which cannot be used: ${reason}. Correct it, or remove it to use CodeBeaker's own image.`,
    setting: setting.id,
    internal: false,
  };
}

/** A JSON-RPC error reply, as vscode-jsonrpc's ResponseError carries it. */
function responseError(error: unknown): { code: number; message: string; data?: unknown } | null {
  if (!(error instanceof Error) || typeof (error as { code?: unknown }).code !== "number") return null;
  return error as Error & { code: number; data?: unknown };
}
