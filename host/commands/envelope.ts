import { SandboxFileError } from "../isolation/backend";
import type { SessionExecuteResult } from "../../contract/protocol/session";
import { WORKSPACE_ROOT } from "../../contract/protocol/workspace-path";

/** The answer of a command that ran no program: the guide's four fields, and nulls where a run would report. */
export function fileCommandResult(result: unknown, startedAt: number): SessionExecuteResult {
  return {
    success: true,
    result,
    error: null,
    durationMs: Date.now() - startedAt,
    status: "Success",
    errorCode: null,
    exitCode: null,
    stdout: "",
    stderr: "",
    metrics: null,
    stages: null,
    diagnostics: [],
    errorType: null,
  };
}

export function fileCommandFailure(error: SandboxFileError, startedAt: number, workspaceMb: number): SessionExecuteResult {
  return {
    ...fileCommandResult(null, startedAt),
    success: false,
    error: describeFileError(error, workspaceMb),
    status: "FileError",
    errorCode: error.code,
  };
}

/** Said the way the guide says it ("File not found: /workspace/missing.py"), with the reason when there is one. */
export function describeFileError({ code, path, detail }: SandboxFileError, workspaceMb: number): string {
  switch (code) {
    case "NotFound":
      return `File not found: ${path}`;
    case "AlreadyExists":
      return `${path} already exists and is not a directory`;
    case "IsADirectory":
      return `${path} is a directory, not a file`;
    case "NotADirectory":
      return `${path} is not a directory (or a part of its path is a file)`;
    case "Symlink":
      return `${path} is or passes through a symbolic link: links are not followed, so nothing outside ${WORKSPACE_ROOT} can be reached`;
    case "OutsideWorkspace":
      return `${path} is outside ${WORKSPACE_ROOT}`;
    case "WorkspaceRoot":
      return `${WORKSPACE_ROOT} itself cannot be deleted`;
    case "TooLarge":
      return `${path} is too large to read: ${detail}`;
    case "NoSpace":
      return `no space left in ${WORKSPACE_ROOT} (it holds ${workspaceMb} MB) to write ${path}`;
    case "NotARegularFile":
      return `${path} is not a regular file (a named pipe, a socket or a device): file commands read and write regular files only`;
    case "NotUtf8":
      return `${path} is not UTF-8 text; read it with "encoding": "base64"`;
    default:
      return `cannot access ${path}${detail ? `: ${detail}` : ""}`;
  }
}
