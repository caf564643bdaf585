import { NotificationType, RequestType } from "vscode-jsonrpc";
import { z } from "zod";
import {
  SessionCloseParams,
  SessionCloseResult,
  SessionCreateParams,
  SessionCreateResult,
  SessionExecuteParams,
  SessionExecuteResult,
  SessionListParams,
  SessionListResult,
} from "./session";

/** A request of the protocol: its method name, the schema its params must pass, and a typed RequestType. */
export interface RequestDefinition<P extends z.ZodType, R extends z.ZodType> {
  method: string;
  params: P;
  result: R;
  type: RequestType<z.input<P>, z.infer<R>, void>;
}

function request<P extends z.ZodType, R extends z.ZodType>(method: string, params: P, result: R) {
  return { method, params, result, type: new RequestType<z.input<P>, z.infer<R>, void>(method) };
}

/** Client → host. Starts a sandbox for a language. */
export const SessionCreate = request("session.create", SessionCreateParams, SessionCreateResult);
/** Client → host. Runs one command in a session. */
export const SessionExecute = request("session.execute", SessionExecuteParams, SessionExecuteResult);
/** Client → host. The open sessions. */
export const SessionList = request("session.list", SessionListParams, SessionListResult);
/** Client → host. Ends a session and removes its sandbox. */
export const SessionClose = request("session.close", SessionCloseParams, SessionCloseResult);

export const ImageProgressParams = z.object({
  image: z.string(),
  language: z.string().nullable(),
  phase: z.enum(["start", "step", "done", "failed"]),
  message: z.string(),
});
export type ImageProgressParams = z.infer<typeof ImageProgressParams>;

/** Host → client. A runtime image is being built (first use of a language, or its recipe changed). */
export const ImageProgress = {
  method: "image.progress",
  type: new NotificationType<ImageProgressParams>("image.progress"),
} as const;
