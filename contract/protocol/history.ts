import { z } from "zod";
import { CommandStatus, Metrics } from "./results";
import { ErrorLocation } from "./diagnostics";

/**
 * The run history: every run of execute_code or run_file is a version of its file (v1, v2, …), kept by the
 * host per workspace with snapshots of the files it ran, so a client can list, compare and roll back.
 */

/** Which workspace's history: a client's name for it (the VS Code extension uses its folder's URI). */
const Workspace = z.string().min(1).max(4096).default("default");
const FilePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((path) => !path.includes("\0"), "must not contain a NUL character");
const Version = z.number().int().min(1);

export const HistoryFile = z.object({ path: z.string(), hash: z.string(), size: z.number() });

/** One run, as listed: what ran, how it ended, what it cost, where it failed. */
export const HistoryRun = z.object({
  id: z.string(),
  workspace: z.string(),
  /** The file the run was of, relative to /workspace. */
  path: z.string(),
  /** A run of a selection: the lines of `path` that ran (1-based, inclusive). */
  lines: z.object({ start: z.number(), end: z.number() }).optional(),
  version: z.number(),
  at: z.string(),
  language: z.string(),
  /** The language version that ran it ("3.13"); absent from records made before versions were recorded. */
  runtimeVersion: z.string().optional(),
  sessionId: z.string(),
  status: CommandStatus,
  exitCode: z.number().nullable(),
  metrics: Metrics.nullable(),
  /** The first line of the error, when it failed. */
  error: z.string().nullable(),
  /** Where it failed first: the first error diagnostic's place. */
  location: ErrorLocation.nullable(),
  errorType: z.string().nullable(),
  stdoutHead: z.string(),
  stderrHead: z.string(),
  /** Which of its stages a warm part served (docs/WARM.md); absent from records made before warm toolchains. */
  warm: z.object({ compile: z.boolean().optional(), run: z.boolean().optional() }).optional(),
  /** For a run of session.judge: the case it ran. */
  case: z.string().optional(),
  /** Snapshots: the file run (first), then the other files that had changed since the previous run. */
  files: z.array(HistoryFile),
});
export type HistoryRun = z.infer<typeof HistoryRun>;

export const HistoryListParams = z.strictObject({
  workspace: Workspace,
  path: FilePath.optional(),
  status: CommandStatus.optional(),
  limit: z.number().int().min(1).max(10_000).default(200),
});
export const HistoryListResult = z.object({ count: z.number(), runs: z.array(HistoryRun) });

/** A run by its id, or a file's version. */
export const HistoryGetParams = z.union([
  z.strictObject({ workspace: Workspace, id: z.string().min(1) }),
  z.strictObject({ workspace: Workspace, path: FilePath, version: Version }),
]);
export const HistoryGetResult = z.object({
  run: HistoryRun,
  /** The files' text as they were when it ran (base64 where a file is not UTF-8 text). */
  contents: z.array(z.object({ path: z.string(), content: z.string(), encoding: z.enum(["utf8", "base64"]) })),
});

/**
 * A file's text at a version. With a sessionId the host also writes it into that session's /workspace; an editor
 * applies it to its own file (so the user can undo).
 */
export const HistoryRollbackParams = z.strictObject({
  workspace: Workspace,
  path: FilePath,
  version: Version,
  sessionId: z.string().min(1).optional(),
});
export const HistoryRestoreLastSuccessParams = z.strictObject({
  workspace: Workspace,
  path: FilePath,
  sessionId: z.string().min(1).optional(),
});
export const HistoryRollbackResult = z.object({
  path: z.string(),
  version: z.number(),
  content: z.string(),
  encoding: z.enum(["utf8", "base64"]),
  /** True when it was written into the session's /workspace too. */
  written: z.boolean(),
});

/** Two versions of a file (the second defaults to the latest), and a unified diff between them. */
export const HistoryCompareParams = z.strictObject({
  workspace: Workspace,
  path: FilePath,
  from: Version,
  to: Version.optional(),
});
export const HistoryCompareResult = z.object({
  path: z.string(),
  from: z.object({ version: z.number(), content: z.string() }),
  to: z.object({ version: z.number(), content: z.string() }),
  diff: z.string(),
  added: z.number(),
  removed: z.number(),
});

/** Host → client: a run was recorded (the history panel updates live). */
export const HistoryChangedParams = z.object({ workspace: z.string(), run: HistoryRun });

export type HistoryListParams = z.input<typeof HistoryListParams>;
export type HistoryListResult = z.infer<typeof HistoryListResult>;
export type HistoryGetParams = z.input<typeof HistoryGetParams>;
export type HistoryGetResult = z.infer<typeof HistoryGetResult>;
export type HistoryRollbackParams = z.input<typeof HistoryRollbackParams>;
export type HistoryRollbackResult = z.infer<typeof HistoryRollbackResult>;
export type HistoryCompareParams = z.input<typeof HistoryCompareParams>;
export type HistoryCompareResult = z.infer<typeof HistoryCompareResult>;
export type HistoryChangedParams = z.infer<typeof HistoryChangedParams>;
