import * as vscode from "vscode";
import type { Diagnostic as HostDiagnostic } from "../host/protocol/diagnostics";

const SEVERITY: Record<HostDiagnostic["severity"], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/**
 * Publishes what the host's parsers found (paths under /workspace) on the user's files, source "CodeBeaker",
 * code the error type, stack frames as related information. A run target's diagnostics replace those of its
 * previous run: a clean run clears them.
 */
export class RunDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection("codebeaker");
  private readonly byTarget = new Map<string, vscode.Uri[]>();

  /**
   * `locate` maps a path under /workspace to the file it mirrors, with the line it starts at there (a selection
   * run starts further down its file); undefined for files that are not the user's.
   */
  publish(target: string, found: readonly HostDiagnostic[], locate: Locate): void {
    for (const uri of this.byTarget.get(target) ?? []) this.collection.delete(uri);
    const grouped = new Map<string, { uri: vscode.Uri; items: vscode.Diagnostic[] }>();
    for (const diagnostic of found) {
      const place = locate(diagnostic.path);
      if (!place) continue;
      const entry = grouped.get(place.uri.toString()) ?? { uri: place.uri, items: [] };
      entry.items.push(this.toDiagnostic(diagnostic, place, locate));
      grouped.set(place.uri.toString(), entry);
    }
    for (const { uri, items } of grouped.values()) this.collection.set(uri, [...(this.collection.get(uri) ?? []), ...items]);
    this.byTarget.set(target, [...grouped.values()].map((entry) => entry.uri));
  }

  private toDiagnostic(found: HostDiagnostic, place: Place, locate: Locate): vscode.Diagnostic {
    const diagnostic = new vscode.Diagnostic(rangeOf(found, place), found.message, SEVERITY[found.severity]);
    diagnostic.source = "CodeBeaker";
    diagnostic.code = found.code;
    diagnostic.relatedInformation = found.related.flatMap((frame) => {
      const framePlace = locate(frame.path);
      if (!framePlace) return [];
      const position = new vscode.Position(frame.line - 1 + framePlace.lineOffset, Math.max(0, frame.column - 1));
      return [new vscode.DiagnosticRelatedInformation(new vscode.Location(framePlace.uri, position), frame.message)];
    });
    return diagnostic;
  }

  dispose(): void {
    this.collection.dispose();
  }
}

/** Where a file under /workspace is in the editor: its document, and the line its first line is on there. */
export interface Place {
  uri: vscode.Uri;
  lineOffset: number;
}
export type Locate = (path: string) => Place | undefined;

/** The marked range, or from the column to the end of the line when the tool gives no end. */
function rangeOf(found: HostDiagnostic, { uri, lineOffset }: Place): vscode.Range {
  const line = Math.max(0, found.line - 1 + lineOffset);
  const start = new vscode.Position(line, Math.max(0, found.column - 1));
  if (found.endColumn !== undefined) {
    const endLine = Math.max(0, (found.endLine ?? found.line) - 1 + lineOffset);
    return new vscode.Range(start, new vscode.Position(endLine, found.endColumn - 1));
  }
  const document = vscode.workspace.textDocuments.find((open) => open.uri.toString() === uri.toString());
  const end = document && line < document.lineCount ? document.lineAt(line).range.end : start.translate(0, 1);
  return new vscode.Range(start, end.isBefore(start) ? start : end);
}
