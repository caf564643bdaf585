import { posix } from "node:path";
import * as vscode from "vscode";
import { HistoryGet, HistoryRollback } from "../contract/protocol/methods";
import type { HistoryActions } from "./history-panel";
import type { HostConnection } from "./host-connection";

export const HISTORY_SCHEME = "codebeaker-history";

/** Replaces a file's whole text as one edit (one Undo step), saves it and shows it; answers the text it replaced. */
async function replaceText(uri: vscode.Uri, text: string, failure: string): Promise<string> {
  const document = await vscode.workspace.openTextDocument(uri);
  const before = document.getText();
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(document.positionAt(0), document.positionAt(before.length)), text);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(failure);
  await document.save();
  await vscode.window.showTextDocument(document, { preview: false, viewColumn: vscode.ViewColumn.One });
  return before;
}

/**
 * Where a recorded file is in the editor: runs are recorded per workspace (a folder's URI, "loose:<directory>"
 * for a file outside any folder) with paths relative to it. Untitled editors have no file to go back to.
 */
export function fileOf(workspace: string, path: string): vscode.Uri | undefined {
  if (workspace.startsWith("loose:")) return vscode.Uri.file(posix.join(workspace.slice("loose:".length), path));
  if (/^[a-z][a-z0-9+.-]*:/i.test(workspace) && workspace !== "untitled") return vscode.Uri.joinPath(vscode.Uri.parse(workspace), path);
  return undefined;
}

/** A version of a file as a read-only document, for VS Code's diff editor. */
export class HistoryDocuments implements vscode.TextDocumentContentProvider {
  constructor(private readonly host: HostConnection) {}

  static uriOf(workspace: string, path: string, version: number): vscode.Uri {
    return vscode.Uri.from({ scheme: HISTORY_SCHEME, path: `/${path}`, query: JSON.stringify({ workspace, version }) });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const { workspace, version } = JSON.parse(uri.query) as { workspace: string; version: number };
    const { contents } = await this.host.request(HistoryGet.type, { workspace, path: uri.path.slice(1), version });
    const file = contents[0]!;
    return file.encoding === "utf8" ? file.content : `(binary content, ${Buffer.from(file.content, "base64").length} bytes)`;
  }
}

/**
 * What the history panel's buttons do in the editor. Rollback is a WorkspaceEdit on the file, saved, so Undo
 * (Ctrl+Z, or the panel's Undo, which puts back the text it replaced) brings the newer text back; Compare opens
 * the diff editor between the version and the current text.
 */
export function historyActions(host: HostConnection, rerunFile: (uri: vscode.Uri) => Promise<void>): HistoryActions {
  const required = (workspace: string, path: string) => {
    const uri = fileOf(workspace, path);
    if (!uri) throw new Error(`${path} was an untitled editor: there is no file to go back to`);
    return uri;
  };
  /** Each rolled-back file's text before and after its last rollback, by URI. */
  const rolledBack = new Map<string, { before: string; after: string }>();
  return {
    async rollback(workspace, path, version) {
      const uri = required(workspace, path);
      const { content, encoding } = await host.request(HistoryRollback.type, { workspace, path, version });
      if (encoding === "base64") {
        await vscode.workspace.fs.writeFile(uri, Buffer.from(content, "base64"));
        return;
      }
      const before = await replaceText(uri, content, `could not roll ${path} back`);
      rolledBack.set(uri.toString(), { before, after: content });
      void vscode.window.showInformationMessage(`${posix.basename(path)} is back to v${version}. Undo brings the newer text back.`);
    },
    async undoRollback(workspace, path) {
      const uri = required(workspace, path);
      const last = rolledBack.get(uri.toString());
      if (!last) throw new Error(`${path} has no rollback to undo`);
      const document = await vscode.workspace.openTextDocument(uri);
      if (document.getText() !== last.after)
        throw new Error(`${path} changed since its rollback: Undo (Ctrl+Z) in the editor steps back through it`);
      await replaceText(uri, last.before, `could not undo the rollback of ${path}`);
      rolledBack.delete(uri.toString());
    },
    async compare(workspace, path, version) {
      const uri = required(workspace, path);
      const title = `${posix.basename(path)}: v${version} ↔ current`;
      await vscode.commands.executeCommand("vscode.diff", HistoryDocuments.uriOf(workspace, path, version), uri, title);
    },
    async rerun(workspace, path) {
      await rerunFile(required(workspace, path));
    },
    async open(workspace, path, line, column) {
      const position = new vscode.Position(Math.max(0, line - 1), Math.max(0, column - 1));
      await vscode.window.showTextDocument(required(workspace, path), {
        selection: new vscode.Range(position, position),
        viewColumn: vscode.ViewColumn.One,
      });
    },
  };
}
