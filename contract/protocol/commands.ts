import { z } from "zod";
import { resolveWorkspacePath, WORKSPACE_ROOT } from "./workspace-path";

/** A path under /workspace: absolute or relative to it; normalized, and refused when it would leave it. */
export const WorkspacePath = z.string().transform((input, ctx) => {
  const resolved = resolveWorkspacePath(input);
  if (!resolved.ok) {
    ctx.addIssue({ code: "custom", message: `path ${resolved.reason}` });
    return z.NEVER;
  }
  return resolved.path;
});

const NoNul = z.string().refine((s) => !s.includes("\0"), "must not contain a NUL character");
const TimeoutMs = z.number().int().min(1).max(3_600_000);
const Encoding = z.enum(["utf8", "base64"]);
const EnvName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Modes of write_file. The guide writes them capitalized; any case is accepted. */
const WriteMode = z
  .string()
  .transform((mode) => mode.toLowerCase())
  .pipe(z.enum(["create", "append"], { error: 'mode must be "Create" or "Append"' }))
  .transform((mode) => (mode === "create" ? "Create" : "Append"));

export const WriteFileCommand = z.strictObject({
  type: z.literal("write_file"),
  path: WorkspacePath,
  content: z.string(),
  mode: WriteMode.default("Create"),
  /** Beside the guide: `base64` writes binary content. */
  encoding: Encoding.default("utf8"),
});

export const ReadFileCommand = z.strictObject({
  type: z.literal("read_file"),
  path: WorkspacePath,
  /** Beside the guide: `base64` reads binary content. */
  encoding: Encoding.default("utf8"),
});

export const ExecuteShellCommand = z.strictObject({
  type: z.literal("execute_shell"),
  commandName: NoNul.min(1, "must name a program, like python3"),
  args: z.array(NoNul).default([]),
  workingDirectory: WorkspacePath.default(WORKSPACE_ROOT),
  /** Beside the guide: */
  stdin: z.string().optional(),
  timeoutMs: TimeoutMs.optional(),
  env: z.record(z.string().regex(EnvName, "environment variable names are letters, digits and _"), NoNul).optional(),
});

export const ExecuteCodeCommand = z.strictObject({
  type: z.literal("execute_code"),
  code: z.string(),
  /** Beside the guide: */
  stdin: z.string().optional(),
  timeoutMs: TimeoutMs.optional(),
  /** The file the code is written to, under /workspace; by default the runtime's entry file (main.py, …). */
  fileName: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, "must be a plain file name, like main.py")
    .optional(),
  /**
   * Beside the guide: the file under /workspace the code was selected from, and the lines (1-based, inclusive).
   * The history then records the run as a version of that file (its whole text, as the session has it), with the
   * lines, rather than of `fileName`.
   */
  selectedFrom: z
    .strictObject({ path: WorkspacePath, startLine: z.number().int().min(1), endLine: z.number().int().min(1) })
    .refine((lines) => lines.endLine >= lines.startLine, "endLine must not come before startLine")
    .optional(),
});

/** Beside the guide's eight: compiles (where the language needs it) and runs a file already in /workspace. */
export const RunFileCommand = z.strictObject({
  type: z.literal("run_file"),
  path: WorkspacePath,
  stdin: z.string().optional(),
  timeoutMs: TimeoutMs.optional(),
});

export const CreateDirectoryCommand = z.strictObject({
  type: z.literal("create_directory"),
  path: WorkspacePath,
});

export const CopyFileCommand = z.strictObject({
  type: z.literal("copy_file"),
  sourcePath: WorkspacePath,
  destinationPath: WorkspacePath,
});

export const DeleteFileCommand = z.strictObject({
  type: z.literal("delete_file"),
  path: WorkspacePath,
});

export const ListDirectoryCommand = z.strictObject({
  type: z.literal("list_directory"),
  path: WorkspacePath.default(WORKSPACE_ROOT),
});

export const COMMAND_TYPES = [
  "write_file",
  "read_file",
  "execute_shell",
  "execute_code",
  "create_directory",
  "copy_file",
  "delete_file",
  "list_directory",
  "run_file",
] as const;

export const Command = z.discriminatedUnion(
  "type",
  [
    WriteFileCommand,
    ReadFileCommand,
    ExecuteShellCommand,
    ExecuteCodeCommand,
    CreateDirectoryCommand,
    CopyFileCommand,
    DeleteFileCommand,
    ListDirectoryCommand,
    RunFileCommand,
  ],
  { error: `type must be one of ${COMMAND_TYPES.join(", ")}` },
);
export type Command = z.infer<typeof Command>;
export type CommandType = Command["type"];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;
