import { z } from "zod";
import { Command, WorkspacePath } from "./commands";
import { Diagnostic } from "./diagnostics";
import { isImageReference } from "./image-reference";
import { CommandStatus, FileErrorCode, Metrics, Stages } from "./results";

const Minutes = z
  .number()
  .positive()
  .max(7 * 24 * 60);

/** How a session is isolated: Docker (runc), Docker with gVisor, or bubblewrap; `auto` picks docker when an engine answers. */
export const Isolation = z.enum(["docker", "gvisor", "process", "auto"]);
export type Isolation = z.infer<typeof Isolation>;

/** A permission of Deno: all (true), none (false), or only these paths, hosts or variable names. */
const Permission = z.union([
  z.boolean(),
  z.array(
    z
      .string()
      .min(1)
      .refine((s) => !s.includes(","), "must not contain a comma"),
  ),
]);

const CommandLine = z.array(z.string().min(1)).min(1, "needs at least the program to run");

/** A compile step (or null for none) and a run step that replace the runtime's, with the same placeholders. */
export const CommandOverrides = z.strictObject({
  compile: CommandLine.nullable().optional(),
  run: CommandLine.optional(),
});
export type CommandOverrides = z.infer<typeof CommandOverrides>;

/** The guide's Deno permissions, mapped to Deno's --allow-* flags. Nothing is allowed unless listed. */
export const Permissions = z.strictObject({
  allowRead: Permission.optional(),
  allowWrite: Permission.optional(),
  allowNet: Permission.optional(),
  allowEnv: Permission.optional(),
});
export type Permissions = z.infer<typeof Permissions>;

/**
 * A package to install, written as its manager takes it (`left-pad@1.3.0`, `@scope/name@^2`, `requests>=2,<3`):
 * never an option (no leading -), no spaces, no characters a shell would read.
 */
export const PackageSpec = z
  .string()
  .min(1)
  .max(214)
  .regex(
    /^[A-Za-z0-9@._~^<>=!,*+:/[\]-]+$/,
    "must be a package as its manager names it, like left-pad@1.3.0 or requests>=2 (no spaces or quotes)",
  )
  .refine((spec) => !spec.startsWith("-"), "must not start with - (it would be read as an option)");

/** `session.create` — the guide's SessionConfig, then optional limits beside it. */
export const SessionCreateParams = z.strictObject({
  /** A language id (python, javascript, …) or one of its aliases (py, js, …). */
  language: z.string().min(1, "must name a language, like python"),
  /**
   * Which of the language's versions ("3.11", "24"); the default one when left out (the newest stable; under
   * process isolation, the newest this machine's own toolchain gives).
   */
  version: z.string().min(1, "must name a version, like 3.13").max(64).optional(),
  idleTimeoutMinutes: Minutes.default(30),
  maxLifetimeMinutes: Minutes.default(120),
  memoryLimitMB: z.number().int().min(32).max(65_536).optional(),
  cpuShares: z.number().int().min(2).max(262_144).optional(),
  /** An image to use instead of the runtime's own; CodeBeaker adds its runner to it. */
  dockerImage: z
    .string()
    .refine(
      isImageReference,
      "must be an image reference like python:3.12-slim or ghcr.io/owner/name:tag (lowercase name, optional tag and digest, nothing else)",
    )
    .optional(),
  // Beside the guide:
  cpuLimit: z.number().min(0.01).max(256).optional(),
  pidsLimit: z.number().int().min(16).max(32_768).optional(),
  networkEnabled: z.boolean().optional(),
  timeoutMs: z.number().int().min(1).max(3_600_000).optional(),
  compileTimeoutMs: z.number().int().min(1).max(3_600_000).optional(),
  outputLimitBytes: z
    .number()
    .int()
    .min(1024)
    .max(64 << 20)
    .optional(),
  isolation: Isolation.optional(),
  /** The guide's Deno permissions (deno sessions only). */
  permissions: Permissions.optional(),
  /** The runtime's command lines replaced for this session (the user's own compile or run command). */
  commands: CommandOverrides.optional(),
  /**
   * Packages the session's programs can use (npm for javascript and typescript, pip for python, cargo crates for
   * rust, modules for go, Maven artifacts for java; each as its manager names them): installed once
   * per list, with network for the install only, into an image that later sessions of the same list start from.
   */
  packages: z.array(PackageSpec).max(64).optional(),
  /** Which workspace's history the session's runs go to ("default" when not said). */
  workspace: z.string().min(1).max(4096).optional(),
  /**
   * Keep the language's toolchain warm inside the sandbox (docs/WARM.md): a launcher started ahead of each run, a
   * resident compiler. false: every run starts its toolchain cold.
   */
  warm: z.boolean().default(true),
});
export type SessionCreateParams = z.input<typeof SessionCreateParams>;

export const SessionState = z.enum(["Active", "Idle", "Closed"]);
export type SessionState = z.infer<typeof SessionState>;

export const SessionConfig = z.object({
  idleTimeoutMinutes: z.number(),
  maxLifetimeMinutes: z.number(),
  memoryLimitMB: z.number(),
  cpuShares: z.number(),
  dockerImage: z.string().nullable(),
  cpuLimit: z.number(),
  pidsLimit: z.number(),
  networkEnabled: z.boolean(),
  timeoutMs: z.number(),
  compileTimeoutMs: z.number(),
  outputLimitBytes: z.number(),
  permissions: Permissions.nullable(),
  commands: CommandOverrides.nullable(),
  /** The packages installed for the session, sorted, each once. */
  packages: z.array(z.string()),
  /** Whether the session keeps its toolchain warm (each stage result says whether a warm part served it). */
  warm: z.boolean(),
});
export type SessionConfig = z.infer<typeof SessionConfig>;

export const SessionCreateResult = z.object({
  sessionId: z.string(),
  containerId: z.string(),
  language: z.string(),
  /** The language version the session runs. */
  version: z.string(),
  createdAt: z.string(),
  state: SessionState,
  config: SessionConfig,
  // Beside the guide:
  isolation: z.string(),
  image: z.string(),
});
export type SessionCreateResult = z.infer<typeof SessionCreateResult>;

/** `session.execute`: one of the eight commands in a session. */
export const SessionExecuteParams = z.strictObject({
  sessionId: z.string().min(1, "must be the sessionId that session.create returned"),
  command: Command,
  /**
   * Beside the guide: a name the client gives this run. The program's output then streams as `run.output`
   * notifications, and `run.stop` (and `run.input`, when interactive) reach it by this name.
   */
  runId: z.string().min(1).max(128).optional(),
  /** With runId: stdin stays open for `run.input` instead of being closed after the command's `stdin`. */
  interactive: z.boolean().optional(),
});
export type SessionExecuteParams = z.input<typeof SessionExecuteParams>;

export const SessionExecuteResult = z.object({
  success: z.boolean(),
  /** The command's own result, shaped as in the guide; for execute_code, the program's output. */
  result: z.unknown(),
  error: z.string().nullable(),
  durationMs: z.number(),
  // Beside the guide, in every command result (null where no program ran):
  status: CommandStatus,
  errorCode: FileErrorCode.nullable(),
  exitCode: z.number().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  metrics: Metrics.nullable(),
  stages: Stages.nullable(),
  /** Where the compiler or the program reported errors (and compile warnings), in the user's files. */
  diagnostics: z.array(Diagnostic),
  /** The classified error type (the seed's error_type): the first error diagnostic's code, or null. */
  errorType: z.string().nullable(),
});
export type SessionExecuteResult = z.infer<typeof SessionExecuteResult>;

export const SessionListParams = z.strictObject({}).default({});
export type SessionListParams = z.input<typeof SessionListParams>;

export const SessionSummary = z.object({
  sessionId: z.string(),
  containerId: z.string(),
  language: z.string(),
  /** The language version the session runs. */
  version: z.string(),
  createdAt: z.string(),
  lastActivity: z.string(),
  state: SessionState,
  executionCount: z.number(),
  idleMinutes: z.number(),
  lifetimeMinutes: z.number(),
  // Beside the guide:
  isolation: z.string(),
  config: SessionConfig,
});
export type SessionSummary = z.infer<typeof SessionSummary>;

export const SessionListResult = z.object({ count: z.number(), sessions: z.array(SessionSummary) });
export type SessionListResult = z.infer<typeof SessionListResult>;

export const SessionCloseParams = z.strictObject({
  sessionId: z.string().min(1, "must be the sessionId that session.create returned"),
});
export type SessionCloseParams = z.input<typeof SessionCloseParams>;

export const SessionCloseResult = z.object({ sessionId: z.string(), closed: z.boolean() });
export type SessionCloseResult = z.infer<typeof SessionCloseResult>;

/** `workspace.sync`: files written and deleted in one request, in order: how an editor mirrors its folder. */
export const WorkspaceSyncParams = z.strictObject({
  sessionId: z.string().min(1, "must be the sessionId that session.create returned"),
  write: z
    .array(z.strictObject({ path: WorkspacePath, content: z.string(), encoding: z.enum(["utf8", "base64"]).default("utf8") }))
    .default([]),
  delete: z.array(WorkspacePath).default([]),
});
export type WorkspaceSyncParams = z.input<typeof WorkspaceSyncParams>;

export const WorkspaceSyncResult = z.object({
  written: z.number(),
  deleted: z.number(),
  bytes: z.number(),
  /** Files that could not be written or deleted, with why (a link in the way, no space, …). */
  failed: z.array(z.object({ path: z.string(), error: z.string() })),
});
export type WorkspaceSyncResult = z.infer<typeof WorkspaceSyncResult>;
