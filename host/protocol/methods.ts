import { NotificationType, RequestType } from "vscode-jsonrpc";
import { z } from "zod";
import {
  HistoryChangedParams,
  HistoryCompareParams,
  HistoryCompareResult,
  HistoryGetParams,
  HistoryGetResult,
  HistoryListParams,
  HistoryListResult,
  HistoryRestoreLastSuccessParams,
  HistoryRollbackParams,
  HistoryRollbackResult,
} from "./history";
import { JudgeCaseParams, SessionJudgeParams, SessionJudgeResult } from "./judge";
import { RepeatStats, SessionRepeatParams } from "./repeat";
import {
  SessionCloseParams,
  WorkspaceSyncParams,
  WorkspaceSyncResult,
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

const Availability = z.object({ available: z.boolean(), reason: z.string().nullable() });
export const IsolationStatusResult = z.object({ docker: Availability, gvisor: Availability, process: Availability });
export type IsolationStatusResult = z.infer<typeof IsolationStatusResult>;
/** Client → host. Which isolation backends can start sandboxes here, and why not where one cannot. */
export const IsolationStatus = request("isolation.status", z.strictObject({}).default({}), IsolationStatusResult);

/** Client → host. Writes and deletes files in a session's /workspace in one request: an editor's mirror. */
export const WorkspaceSync = request("workspace.sync", WorkspaceSyncParams, WorkspaceSyncResult);

export const RunStopParams = z.strictObject({ runId: z.string().min(1) });
export const RunStopResult = z.object({ runId: z.string(), stopped: z.boolean() });
/** Client → host. Stops the run of session.execute that carried this runId (its compile or its program). */
export const RunStop = request("run.stop", RunStopParams, RunStopResult);

/** A notification of the protocol: its method name, the schema of its params, and a typed NotificationType. */
export interface NotificationDefinition<P extends z.ZodType> {
  method: string;
  params: P;
  type: NotificationType<z.input<P>>;
}

function notification<P extends z.ZodType>(method: string, params: P): NotificationDefinition<P> {
  return { method, params, type: new NotificationType<z.input<P>>(method) };
}

export const RunInputParams = z
  .strictObject({ runId: z.string().min(1), text: z.string().optional(), eof: z.boolean().optional() })
  .refine((input) => input.text !== undefined || input.eof === true, "needs text, or eof: true");
/** Client → host. Text for the stdin of an interactive run; `eof: true` closes it. */
export const RunInput = notification("run.input", RunInputParams);

export const RunOutputParams = z.object({ runId: z.string(), stream: z.enum(["stdout", "stderr"]), text: z.string() });
export type RunOutputParams = z.infer<typeof RunOutputParams>;
/** Host → client. What a followed run wrote, as it writes it (the compiler's output included). */
export const RunOutput = notification("run.output", RunOutputParams);

export const RunStageParams = z.object({ runId: z.string(), stage: z.enum(["compile", "run"]) });
/** Host → client. A followed run's compile or program started. */
export const RunStage = notification("run.stage", RunStageParams);

/** Client → host. Runs a command N times in a session: success rate and timing statistics (the seed's repeat). */
export const SessionRepeat = request("session.repeat", SessionRepeatParams, RepeatStats);

/** Client → host. One program against many cases: compiled once, then a run and a verdict per case. */
export const SessionJudge = request("session.judge", SessionJudgeParams, SessionJudgeResult);
/** Host → client. A case of a followed session.judge (one with a runId) ended, with its verdict. */
export const JudgeCaseEnded = notification("judge.case", JudgeCaseParams);

/** Client → host. A workspace's runs, newest first, by file and status. */
export const HistoryList = request("history.list", HistoryListParams, HistoryListResult);
/** Client → host. One run with the files it ran. */
export const HistoryGet = request("history.get", HistoryGetParams, HistoryGetResult);
/** Client → host. A file's text at a version (written into a session too, when one is named). */
export const HistoryRollback = request("history.rollback", HistoryRollbackParams, HistoryRollbackResult);
/** Client → host. A file's text at its latest successful run. */
export const HistoryRestoreLastSuccess = request("history.restoreLastSuccess", HistoryRestoreLastSuccessParams, HistoryRollbackResult);
/** Client → host. Two versions of a file and the diff between them. */
export const HistoryCompare = request("history.compare", HistoryCompareParams, HistoryCompareResult);
/** Host → client. A run was recorded. */
export const HistoryChanged = notification("history.changed", HistoryChangedParams);

export const ImageProgressParams = z.object({
  image: z.string(),
  language: z.string().nullable(),
  phase: z.enum(["start", "step", "done", "failed"]),
  message: z.string(),
});
export type ImageProgressParams = z.infer<typeof ImageProgressParams>;

/** Host → client. A runtime image is being built (first use of a language, or its recipe changed). */
export const ImageProgress = notification("image.progress", ImageProgressParams);

/** Notifications a client hears only once it asked for them (run.output and run.stage come with a runId). */
export const SubscribableNotification = z.enum(["image.progress", "history.changed"]);
export type SubscribableNotification = z.infer<typeof SubscribableNotification>;
const Subscription = z.strictObject({ methods: z.array(SubscribableNotification).optional() });
export const NotificationsSubscribeParams = Subscription.default({});
export type NotificationsSubscribeParams = z.input<typeof NotificationsSubscribeParams>;
export const NotificationsSubscribeResult = z.object({ methods: z.array(SubscribableNotification) });
/**
 * Client → host. Which notifications this connection receives from now on: `methods`, or all of them when
 * omitted (`[]`: none). A client that never asks receives only answers to its requests.
 */
export const NotificationsSubscribe = request("notifications.subscribe", NotificationsSubscribeParams, NotificationsSubscribeResult);

/**
 * Client → host, over stdio: the Language Server Protocol's handshake, which vscode-languageclient opens with.
 * CodeBeaker offers no language features, only its own methods; `initializationOptions.notifications` takes
 * notifications.subscribe's params, so a language client asks for notifications again on every restart.
 */
export const Initialize = request(
  "initialize",
  z.looseObject({ initializationOptions: z.looseObject({ notifications: Subscription.optional() }).nullish() }),
  z.object({ capabilities: z.object({}), serverInfo: z.object({ name: z.string(), version: z.string() }) }),
);
/** Client → host, over stdio: the handshake's end; `exit` follows. */
export const Shutdown = request("shutdown", z.unknown(), z.null());
/** Client → host, over stdio: the host ends. */
export const Exit = notification("exit", z.unknown());
