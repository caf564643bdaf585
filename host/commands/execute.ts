import { SandboxFileError, SandboxLostError } from "../isolation/backend";
import type { Command } from "../../contract/protocol/commands";
import type { SessionExecuteResult } from "../../contract/protocol/session";
import { fileCommandFailure, fileCommandResult } from "./envelope";
import * as files from "./file-commands";
import { executeCode, executeShell, runFile, RunOptions } from "../runs/run-commands";
import type { Session } from "../sessions/session";

/** Runs one command of the guide in a session, after the commands before it. */
export function executeCommand(session: Session, command: Command, options: RunOptions = {}): Promise<SessionExecuteResult> {
  return session.exclusive(async () => {
    const startedAt = Date.now();
    try {
      switch (command.type) {
        case "execute_shell":
          return await executeShell(session, command, options, startedAt);
        case "execute_code":
          return await executeCode(session, command, options, startedAt);
        case "run_file":
          return await runFile(session, command, options, startedAt);
        case "write_file":
          return fileCommandResult(await files.writeFile(session, command), startedAt);
        case "read_file":
          return fileCommandResult(await files.readFile(session, command), startedAt);
        case "create_directory":
          return fileCommandResult(await files.createDirectory(session, command), startedAt);
        case "copy_file":
          return fileCommandResult(await files.copyFile(session, command), startedAt);
        case "delete_file":
          return fileCommandResult(await files.deleteFile(session, command), startedAt);
        case "list_directory":
          return fileCommandResult(await files.listDirectory(session, command), startedAt);
      }
    } catch (error) {
      if (error instanceof SandboxFileError) return fileCommandFailure(error, startedAt, session.limits.workspaceMb);
      if (error instanceof SandboxLostError) return sessionEnded(session, error, startedAt);
      throw error;
    }
  });
}

/** The sandbox went away under the command: closed, expired, out of memory (gVisor), or its container died. */
export async function sessionEnded(session: Session, error: SandboxLostError, startedAt: number): Promise<SessionExecuteResult> {
  const end = await Promise.race([session.sandbox.ended, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 5000))]);
  const failed = { ...fileCommandResult(null, startedAt), success: false };
  if (end?.cause === "out-of-memory") {
    return {
      ...failed,
      status: "MemoryLimitExceeded",
      error: `MemoryLimitExceeded: the program ran out of its ${session.limits.memoryMb} MB of memory, which stopped the whole sandbox; the session has ended`,
    };
  }
  const reason = session.closedReason ?? end?.detail ?? error.message;
  return { ...failed, status: "InternalError", error: `InternalError: the session ended while the command ran: ${reason}` };
}
