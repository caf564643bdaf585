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

/**
 * What the reference (docs/PROTOCOL.md's generated part, rpc.discover) says of a method: which side sends it,
 * and what it does. Written once, here, beside the method's schemas.
 */
export interface MethodDoc {
  from: "client" | "host";
  summary: string;
}

/** A request of the protocol: its method name, the schema its params must pass, and a typed RequestType. */
export interface RequestDefinition<P extends z.ZodType, R extends z.ZodType> {
  method: string;
  params: P;
  result: R;
  doc: MethodDoc;
  type: RequestType<z.input<P>, z.infer<R>, void>;
}

function request<P extends z.ZodType, R extends z.ZodType>(method: string, params: P, result: R, doc: MethodDoc) {
  return { method, params, result, doc, type: new RequestType<z.input<P>, z.infer<R>, void>(method) };
}

export const SessionCreate = request("session.create", SessionCreateParams, SessionCreateResult, {
  from: "client",
  summary: "Starts a sandbox for a language.",
});
export const SessionExecute = request("session.execute", SessionExecuteParams, SessionExecuteResult, {
  from: "client",
  summary: "Runs one command in a session.",
});
export const SessionList = request("session.list", SessionListParams, SessionListResult, { from: "client", summary: "The open sessions." });
export const SessionClose = request("session.close", SessionCloseParams, SessionCloseResult, {
  from: "client",
  summary: "Ends a session and removes its sandbox.",
});

const Availability = z.object({ available: z.boolean(), reason: z.string().nullable() });
export const IsolationStatusResult = z.object({ docker: Availability, gvisor: Availability, process: Availability });
export type IsolationStatusResult = z.infer<typeof IsolationStatusResult>;
export const IsolationStatus = request("isolation.status", z.strictObject({}).default({}), IsolationStatusResult, {
  from: "client",
  summary: "Which isolation backends can start sandboxes here, and why not where one cannot.",
});

export const WorkspaceSync = request("workspace.sync", WorkspaceSyncParams, WorkspaceSyncResult, {
  from: "client",
  summary: "Writes and deletes files in a session's /workspace in one request: an editor's mirror.",
});

export const RunStopParams = z.strictObject({ runId: z.string().min(1) });
export const RunStopResult = z.object({ runId: z.string(), stopped: z.boolean() });
export const RunStop = request("run.stop", RunStopParams, RunStopResult, {
  from: "client",
  summary: "Stops the run of session.execute that carried this runId (its compile or its program).",
});

/** A notification of the protocol: its method name, the schema of its params, and a typed NotificationType. */
export interface NotificationDefinition<P extends z.ZodType> {
  method: string;
  params: P;
  doc: MethodDoc;
  type: NotificationType<z.input<P>>;
}

function notification<P extends z.ZodType>(method: string, params: P, doc: MethodDoc): NotificationDefinition<P> {
  return { method, params, doc, type: new NotificationType<z.input<P>>(method) };
}

export const RunInputParams = z
  .strictObject({ runId: z.string().min(1), text: z.string().optional(), eof: z.boolean().optional() })
  .refine((input) => input.text !== undefined || input.eof === true, "needs text, or eof: true");
export const RunInput = notification("run.input", RunInputParams, {
  from: "client",
  summary: "Text for the stdin of an interactive run; `eof: true` closes it.",
});

export const RunOutputParams = z.object({ runId: z.string(), stream: z.enum(["stdout", "stderr"]), text: z.string() });
export type RunOutputParams = z.infer<typeof RunOutputParams>;
export const RunOutput = notification("run.output", RunOutputParams, {
  from: "host",
  summary: "What a followed run wrote, as it writes it (the compiler's output included).",
});

export const RunStageParams = z.object({ runId: z.string(), stage: z.enum(["compile", "run"]) });
export const RunStage = notification("run.stage", RunStageParams, {
  from: "host",
  summary: "A followed run's compile or program started.",
});

export const SessionRepeat = request("session.repeat", SessionRepeatParams, RepeatStats, {
  from: "client",
  summary: "Runs a command N times in a session: success rate and timing statistics (the seed's repeat).",
});

export const SessionJudge = request("session.judge", SessionJudgeParams, SessionJudgeResult, {
  from: "client",
  summary: "One program against many cases: compiled once, then a run and a verdict per case.",
});
export const JudgeCaseEnded = notification("judge.case", JudgeCaseParams, {
  from: "host",
  summary: "A case of a followed session.judge (one with a runId) ended, with its verdict.",
});

export const HistoryList = request("history.list", HistoryListParams, HistoryListResult, {
  from: "client",
  summary: "A workspace's runs, newest first, by file and status.",
});
export const HistoryGet = request("history.get", HistoryGetParams, HistoryGetResult, {
  from: "client",
  summary: "One run with the files it ran.",
});
export const HistoryRollback = request("history.rollback", HistoryRollbackParams, HistoryRollbackResult, {
  from: "client",
  summary: "A file's text at a version (written into a session too, when one is named).",
});
export const HistoryRestoreLastSuccess = request("history.restoreLastSuccess", HistoryRestoreLastSuccessParams, HistoryRollbackResult, {
  from: "client",
  summary: "A file's text at its latest successful run.",
});
export const HistoryCompare = request("history.compare", HistoryCompareParams, HistoryCompareResult, {
  from: "client",
  summary: "Two versions of a file and the diff between them.",
});
export const HistoryChanged = notification("history.changed", HistoryChangedParams, { from: "host", summary: "A run was recorded." });

/** One step of an image build, as the engine numbers it: `Step 2/5 : RUN apt-get update && …`. */
export const BuildStep = z.object({
  index: z.number(),
  count: z.number(),
  /** The step's instruction, its whitespace runs made single spaces. */
  instruction: z.string(),
});
export type BuildStep = z.infer<typeof BuildStep>;

export const ImageProgressParams = z.object({
  image: z.string(),
  language: z.string().nullable(),
  phase: z.enum(["start", "step", "done", "failed"]),
  message: z.string(),
  /** With phase "step": which step of how many, so a client shows progress without reading `message`. */
  step: BuildStep.optional(),
});
export type ImageProgressParams = z.infer<typeof ImageProgressParams>;

export const ImageProgress = notification("image.progress", ImageProgressParams, {
  from: "host",
  summary: "A runtime image is being built (first use of a language, or its recipe changed).",
});

/** Notifications a client hears only once it asked for them (run.output and run.stage come with a runId). */
export const SubscribableNotification = z.enum(["image.progress", "history.changed"]);
export type SubscribableNotification = z.infer<typeof SubscribableNotification>;
const Subscription = z.strictObject({ methods: z.array(SubscribableNotification).optional() });
export const NotificationsSubscribeParams = Subscription.default({});
export type NotificationsSubscribeParams = z.input<typeof NotificationsSubscribeParams>;
export const NotificationsSubscribeResult = z.object({ methods: z.array(SubscribableNotification) });
export const NotificationsSubscribe = request("notifications.subscribe", NotificationsSubscribeParams, NotificationsSubscribeResult, {
  from: "client",
  summary:
    "Which notifications this connection receives from now on: `methods`, or all of them when omitted (`[]`: none). A client that never asks receives only answers to its requests.",
});

export const Initialize = request(
  "initialize",
  z.looseObject({ initializationOptions: z.looseObject({ notifications: Subscription.optional() }).nullish() }),
  z.object({ capabilities: z.object({}), serverInfo: z.object({ name: z.string(), version: z.string() }) }),
  {
    from: "client",
    summary:
      "Over stdio: the Language Server Protocol's handshake, which vscode-languageclient opens with. CodeBeaker offers no language features, only its own methods; `initializationOptions.notifications` takes notifications.subscribe's params, so a language client asks for notifications again on every restart.",
  },
);
export const RpcDiscover = request(
  "rpc.discover",
  z.strictObject({}).default({}),
  z.looseObject({ openrpc: z.string(), methods: z.array(z.unknown()) }),
  {
    from: "client",
    summary:
      "This reference as an OpenRPC document: every method with its params and result as JSON Schema; the host's notifications under `x-notifications`.",
  },
);
export const Shutdown = request("shutdown", z.unknown(), z.null(), {
  from: "client",
  summary: "Over stdio: the handshake's end; `exit` follows.",
});
export const Exit = notification("exit", z.unknown(), { from: "client", summary: "Over stdio: the host ends." });
