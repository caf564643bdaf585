import { posix } from "node:path";
import * as vscode from "vscode";
import type { Command } from "../contract/protocol/commands";
import type { Runtime } from "../contract/runtimes/manifest";
import type { RuntimeRegistry } from "../contract/runtimes/registry";
import { entryFileName } from "../contract/runtimes/entry-file";
import type { Locate } from "./diagnostics";

/**
 * What a run is of: a file of a workspace folder (the folder is mirrored, the file runs where it is), a file
 * outside any folder (mirrored alone), an untitled editor, or a selection (its text runs beside the mirror).
 */
export interface RunTarget {
  /** Identifies the target across runs: its terminal and its diagnostics. */
  key: string;
  label: string;
  runtime: Runtime;
  /** Sessions are shared by targets of one scope (a folder, a loose file's directory, the untitled editors). */
  scope: string;
  folder?: vscode.WorkspaceFolder;
  /** A single file to mirror when there is no folder. */
  loose?: { path: string; text: string };
  command: Command;
  locate: Locate;
}

/** The run target of an editor, in the language its file (or the user) says. */
export function targetOf(
  editor: { document: vscode.TextDocument; selection?: vscode.Selection },
  registry: RuntimeRegistry,
  options: { language?: string; selection?: boolean },
): RunTarget | string {
  const document = editor.document;
  const runtime = options.language
    ? registry.find(options.language)
    : ((document.isUntitled ? undefined : registry.forFile(document.uri.path)) ?? registry.find(document.languageId));
  if (!runtime) {
    return `CodeBeaker has no runtime for ${document.languageId} files (it runs ${registry.languages().join(", ")}); try Run with Language…`;
  }
  const folder = document.isUntitled ? undefined : vscode.workspace.getWorkspaceFolder(document.uri);
  const name = posix.basename(document.uri.path);

  if (options.selection && editor.selection && !editor.selection.isEmpty) {
    const code = document.getText(editor.selection);
    const fileName = selectionFileName(runtime, code);
    const { start, end } = editor.selection;
    const lineOffset = start.line;
    // The file the selection is in, mirrored as for a run of it: the history records the run as its version.
    const file = document.isUntitled ? undefined : fileTarget(document, runtime, folder);
    const lastLine = end.character === 0 && end.line > start.line ? end.line : end.line + 1;
    const selectedFrom = file && { path: file.command.path, startLine: start.line + 1, endLine: lastLine };
    return {
      key: `${document.uri.toString()}#selection`,
      label: `${name} (selection)`,
      runtime,
      scope: file?.scope ?? "untitled",
      folder,
      ...(file?.loose ? { loose: file.loose } : {}),
      command: { type: "execute_code", code, fileName, ...(selectedFrom ? { selectedFrom } : {}) },
      locate: (path) => (path === fileName ? { uri: document.uri, lineOffset } : file?.locate(path)),
    };
  }
  if (document.isUntitled) {
    const fileName = entryFileName(runtime.manifest, document.getText());
    return {
      key: document.uri.toString(),
      label: name,
      runtime,
      scope: "untitled",
      command: { type: "execute_code", code: document.getText(), fileName },
      locate: (path) => (path === fileName ? { uri: document.uri, lineOffset: 0 } : undefined),
    };
  }
  return fileTarget(document, runtime, folder);
}

/** A saved file's run: in its folder's mirror, or mirrored alone when it is in no folder. */
function fileTarget(
  document: vscode.TextDocument,
  runtime: Runtime,
  folder: vscode.WorkspaceFolder | undefined,
): RunTarget & { command: { type: "run_file" } } {
  const name = posix.basename(document.uri.path);
  if (!folder) {
    const directory = posix.dirname(document.uri.path);
    return {
      key: document.uri.toString(),
      label: name,
      runtime,
      scope: `loose:${directory}`,
      loose: { path: name, text: document.getText() },
      command: { type: "run_file", path: name },
      locate: (path) => (path === name ? { uri: document.uri, lineOffset: 0 } : undefined),
    };
  }
  const relative = posix.relative(folder.uri.path, document.uri.path);
  return {
    key: document.uri.toString(),
    label: name,
    runtime,
    scope: folder.uri.toString(),
    folder,
    command: { type: "run_file", path: relative },
    locate: (path) => ({ uri: vscode.Uri.joinPath(folder.uri, path), lineOffset: 0 }),
  };
}

/** A selection runs as a file of its own beside the mirror, never over one of the user's files. */
function selectionFileName(runtime: Runtime, code: string): string {
  const fromCode = entryFileName(runtime.manifest, code);
  return runtime.manifest.entryNameFromCode.length ? fromCode : `codebeaker_selection${runtime.manifest.extensions[0]}`;
}
