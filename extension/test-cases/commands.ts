import * as vscode from "vscode";
import { caseFileOf, withCaseAdded } from "./case-file";
import type { TestExplorer } from "./test-explorer";

/** A CodeLens over each file that has test cases: one click runs them all in the sandbox. */
export class TestCaseLenses implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(private readonly explorer: TestExplorer) {
    this.onDidChangeCodeLenses = explorer.onDidChange;
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const count = this.explorer.caseCount(document.uri);
    if (!count) return [];
    const title = `$(beaker) Run ${count} test case${count === 1 ? "" : "s"} in Sandbox`;
    return [new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), { title, command: "codebeaker.runTestCases", arguments: [document.uri] })];
  }
}

/**
 * CodeBeaker: Add Last Run as Test Case: the active file's last run — what was typed into it and what it
 * printed — becomes a new case in the file's case file, which is created when there is none.
 */
export async function addLastRunAsCase(lastRun: (source: vscode.Uri) => { stdin: string; stdout: string } | undefined): Promise<void> {
  const source = vscode.window.activeTextEditor?.document.uri;
  if (!source || source.scheme !== "file") {
    void vscode.window.showWarningMessage("CodeBeaker: open the file whose run should become a test case.");
    return;
  }
  const run = lastRun(source);
  if (!run) {
    void vscode.window.showWarningMessage(
      `CodeBeaker: run ${vscode.workspace.asRelativePath(source)} first (Run in Sandbox); what you type into it and what it prints become the case.`,
    );
    return;
  }
  const caseFile = vscode.Uri.file(caseFileOf(source.fsPath));
  const existing = await vscode.workspace.fs.readFile(caseFile).then(
    (bytes) => new TextDecoder().decode(bytes),
    () => undefined,
  );
  let text: string;
  try {
    const count = existing === undefined ? 0 : ((JSON.parse(existing) as { cases?: unknown[] }).cases?.length ?? 0);
    text = withCaseAdded(existing, { name: `case ${count + 1}`, stdin: run.stdin, expectedOutput: run.stdout });
  } catch (error) {
    void vscode.window.showErrorMessage(
      `CodeBeaker: ${vscode.workspace.asRelativePath(caseFile)} is not valid JSON (${(error as Error).message}); fix it first.`,
    );
    return;
  }
  await vscode.workspace.fs.writeFile(caseFile, new TextEncoder().encode(text));
  const choice = await vscode.window.showInformationMessage(
    `CodeBeaker added a test case to ${vscode.workspace.asRelativePath(caseFile)}.`,
    "Open",
  );
  if (choice) await vscode.window.showTextDocument(caseFile);
}
