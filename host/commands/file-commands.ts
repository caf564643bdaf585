import { posix } from "node:path";
import { SandboxFileError } from "../isolation/backend";
import type { CommandOf } from "../../contract/protocol/commands";
import type {
  CopyFileResult,
  CreateDirectoryResult,
  DeleteFileResult,
  ListDirectoryResult,
  ReadFileResult,
  WriteFileResult,
} from "../../contract/protocol/command-results";
import { ErrorCodes, invalidParams, RpcError } from "../../contract/protocol/errors";
import { describeFileError } from "./envelope";
import type { Session } from "../sessions/session";

/** The most read_file returns in one answer. */
export const READ_LIMIT_BYTES = 16 << 20;

const utf8 = new TextDecoder("utf-8", { fatal: true });

export async function writeFile(session: Session, command: CommandOf<"write_file">): Promise<WriteFileResult> {
  const content = decodeContent(command.content, command.encoding);
  const mode = command.mode === "Append" ? "append" : "create";
  const bytes = await session.sandbox.writeFile(command.path, content, mode);
  return { path: command.path, bytes };
}

export async function readFile(session: Session, command: CommandOf<"read_file">): Promise<ReadFileResult> {
  const data = await session.sandbox.readFile(command.path, READ_LIMIT_BYTES);
  let content: string;
  if (command.encoding === "base64") content = data.toString("base64");
  else {
    try {
      content = utf8.decode(data);
    } catch {
      throw new SandboxFileError("NotUtf8", command.path);
    }
  }
  return { content, bytes: data.length, path: command.path, encoding: command.encoding };
}

export async function createDirectory(session: Session, command: CommandOf<"create_directory">): Promise<CreateDirectoryResult> {
  return { path: command.path, created: await session.sandbox.makeDirectory(command.path) };
}

export async function copyFile(session: Session, command: CommandOf<"copy_file">): Promise<CopyFileResult> {
  const bytes = await session.sandbox.copyFile(command.sourcePath, command.destinationPath);
  return { sourcePath: command.sourcePath, destinationPath: command.destinationPath, bytes };
}

export async function deleteFile(session: Session, command: CommandOf<"delete_file">): Promise<DeleteFileResult> {
  const type = await session.sandbox.remove(command.path);
  return { path: command.path, deleted: true, type };
}

export async function listDirectory(session: Session, command: CommandOf<"list_directory">): Promise<ListDirectoryResult> {
  const entries = (await session.sandbox.list(command.path))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((entry) => ({
      name: entry.name,
      path: posix.join(command.path, entry.name),
      type: entry.type,
      size: entry.size,
      modifiedAt: new Date(entry.modifiedMs).toISOString(),
    }));
  return { path: command.path, count: entries.length, entries };
}

/**
 * Writes a file into a session's /workspace outside any command (history.rollback), after the commands before
 * it. What the sandbox refuses (a link planted on the path, no space) is the client's to act on: a JSON-RPC
 * FileError naming the file's error code and path, never an internal error.
 */
export async function restoreFile(session: Session, path: string, content: Buffer): Promise<void> {
  try {
    await session.exclusive(() => session.sandbox.writeFile(path, content, "create"));
  } catch (error) {
    if (!(error instanceof SandboxFileError)) throw error;
    throw new RpcError(ErrorCodes.FileError, describeFileError(error, session.limits.workspaceMb), `${error.path}: ${error.code}`);
  }
}

function decodeContent(content: string, encoding: "utf8" | "base64"): Buffer {
  if (encoding === "utf8") return Buffer.from(content, "utf8");
  const compact = content.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
    throw invalidParams('command.content: is not valid base64 (encoding is "base64")');
  }
  return Buffer.from(compact, "base64");
}
