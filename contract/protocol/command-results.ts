import { z } from "zod";

/** The `result` of each command inside `session.execute`'s answer, as the guide shows them. */

export const WriteFileResult = z.object({ path: z.string(), bytes: z.number() });
export const ReadFileResult = z.object({
  content: z.string(),
  bytes: z.number(),
  path: z.string(),
  encoding: z.enum(["utf8", "base64"]),
});
export const ExecuteShellResult = z.object({
  exitCode: z.number().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  durationMs: z.number(),
});
/** execute_code: the program's output (stdout without its final line break), as in the guide's Deno example. */
export const ExecuteCodeResult = z.string();
export const CreateDirectoryResult = z.object({ path: z.string(), created: z.boolean() });
export const CopyFileResult = z.object({ sourcePath: z.string(), destinationPath: z.string(), bytes: z.number() });
export const DeleteFileResult = z.object({
  path: z.string(),
  deleted: z.boolean(),
  type: z.enum(["file", "directory"]),
});

export const DirectoryEntry = z.object({
  name: z.string(),
  path: z.string(),
  type: z.enum(["file", "directory", "symlink", "other"]),
  size: z.number(),
  modifiedAt: z.string(),
});
export type DirectoryEntry = z.infer<typeof DirectoryEntry>;
export const ListDirectoryResult = z.object({
  path: z.string(),
  count: z.number(),
  entries: z.array(DirectoryEntry),
});

export type WriteFileResult = z.infer<typeof WriteFileResult>;
export type ReadFileResult = z.infer<typeof ReadFileResult>;
export type ExecuteShellResult = z.infer<typeof ExecuteShellResult>;
export type CreateDirectoryResult = z.infer<typeof CreateDirectoryResult>;
export type CopyFileResult = z.infer<typeof CopyFileResult>;
export type DeleteFileResult = z.infer<typeof DeleteFileResult>;
export type ListDirectoryResult = z.infer<typeof ListDirectoryResult>;
