import { z } from "zod";

/**
 * How a run ended: a closed set, like Judge0's, plus memory and output limits.
 * `Cancelled` is a run stopped on request.
 */
export const RunStatus = z.enum([
  "Success",
  "CompilationError",
  "RuntimeError",
  "TimeLimitExceeded",
  "MemoryLimitExceeded",
  "OutputLimitExceeded",
  "Cancelled",
  "InternalError",
]);
export type RunStatus = z.infer<typeof RunStatus>;

/** Commands that run no program end in `Success` or `FileError` (with an `errorCode` beside it). */
export const CommandStatus = z.union([RunStatus, z.literal("FileError")]);
export type CommandStatus = z.infer<typeof CommandStatus>;

/** Why a file command failed, for clients that act on it rather than show it. */
export const FileErrorCode = z.enum([
  "NotFound",
  "AlreadyExists",
  "IsADirectory",
  "NotADirectory",
  "Symlink",
  "OutsideWorkspace",
  "WorkspaceRoot",
  "TooLarge",
  "NoSpace",
  "NotUtf8",
  /** A named pipe, a socket or a device: file commands read and write regular files only. */
  "NotARegularFile",
  "IoError",
]);
export type FileErrorCode = z.infer<typeof FileErrorCode>;

/** Resource use of one run: its own, not the sandbox's lifetime totals. */
export const Metrics = z.object({
  wallMs: z.number(),
  cpuMs: z.number(),
  /** Peak resident memory of the largest process of the run. */
  peakMemoryBytes: z.number(),
});
export type Metrics = z.infer<typeof Metrics>;

export const StageResult = z.object({
  status: RunStatus,
  exitCode: z.number().nullable(),
  /** The signal that ended the process, by name (`SIGKILL`), or null. */
  signal: z.string().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  /** True when the stream passed the output limit and only its head is kept. */
  stdoutTruncated: z.boolean(),
  stderrTruncated: z.boolean(),
  wallMs: z.number(),
  cpuMs: z.number(),
  peakMemoryBytes: z.number(),
  /** A warm part served the stage (docs/WARM.md): the prestarted launcher, or the resident compiler; false: cold. */
  warm: z.boolean(),
});
export type StageResult = z.infer<typeof StageResult>;

export const Stages = z.object({ compile: StageResult.optional(), run: StageResult.optional() });
export type Stages = z.infer<typeof Stages>;
