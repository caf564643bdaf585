import * as vscode from "vscode";
import type { Diagnostic as HostDiagnostic } from "../contract/protocol/diagnostics";

const SEVERITY: Record<HostDiagnostic["severity"], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** One run target's diagnostics on one file, and the text of the file they were found in (when it was open). */
interface Published {
  uri: vscode.Uri;
  items: vscode.Diagnostic[];
  text: string | undefined;
}

/**
 * Publishes what the host's parsers found (paths under /workspace) on the user's files, source "CodeBeaker",
 * code the error type, stack frames as related information. A run target's diagnostics replace those of its
 * previous run: a clean run clears them. They follow the text they were found in: while a file holds other text
 * (a rollback to an older version, an edit) they are hidden, since their lines may not be there; when it holds
 * that text again (Undo), they are back.
 */
export class RunDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection("codebeaker");
  private readonly byTarget = new Map<string, Published[]>();
  private readonly watcher = vscode.workspace.onDidChangeTextDocument(({ document }) => this.follow(document));

  /**
   * `locate` maps a path under /workspace to the file it mirrors, with the line it starts at there (a selection
   * run starts further down its file); undefined for files that are not the user's.
   */
  publish(target: string, found: readonly HostDiagnostic[], locate: Locate): void {
    const before = this.byTarget.get(target) ?? [];
    const grouped = new Map<string, Published>();
    for (const diagnostic of found) {
      const place = locate(diagnostic.path);
      if (!place) continue;
      const key = place.uri.toString();
      const entry = grouped.get(key) ?? { uri: place.uri, items: [], text: openDocument(place.uri)?.getText() };
      entry.items.push(this.toDiagnostic(diagnostic, place, locate));
      grouped.set(key, entry);
    }
    this.byTarget.set(target, [...grouped.values()]);
    for (const uri of new Set([...before, ...grouped.values()].map((entry) => entry.uri.toString()))) {
      this.render(vscode.Uri.parse(uri));
    }
  }

  private follow(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    if ([...this.byTarget.values()].some((entries) => entries.some((entry) => entry.uri.toString() === key))) {
      this.render(document.uri);
    }
  }

  /** A file's diagnostics of every target, those found in another text than the file's now left out. */
  private render(uri: vscode.Uri): void {
    const key = uri.toString();
    const text = openDocument(uri)?.getText();
    const shown = [...this.byTarget.values()]
      .flat()
      .filter((entry) => entry.uri.toString() === key && (entry.text === undefined || text === undefined || entry.text === text))
      .flatMap((entry) => entry.items);
    if (shown.length) this.collection.set(uri, shown);
    else this.collection.delete(uri);
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
    this.watcher.dispose();
    this.collection.dispose();
  }
}

function openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find((open) => open.uri.toString() === uri.toString());
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
  const document = openDocument(uri);
  const end = document && line < document.lineCount ? document.lineAt(line).range.end : start.translate(0, 1);
  return new vscode.Range(start, end.isBefore(start) ? start : end);
}
