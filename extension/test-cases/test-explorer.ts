import { randomUUID } from "node:crypto";
import * as vscode from "vscode";
import type { Diagnostic } from "../../contract/protocol/diagnostics";
import type { Comparison, JudgeCase, SessionJudgeResult, Verdict } from "../../contract/protocol/judge";
import { CASE_FILE_SUFFIX, caseFileOf, parseCaseFile, sourceOf } from "./case-file";

/** What the Test Explorer needs of the run machinery: a file judged in its session, with its folder mirrored. */
export interface FileJudge {
  judge(source: vscode.Uri, request: { cases: JudgeCase[]; compare?: Comparison; runId: string }): Promise<SessionJudgeResult>;
  stop(runId: string): Promise<void>;
}

/**
 * Each file's `<file>.tests.json` as tests in VS Code's Test Explorer: the file an item, its cases children.
 * The "Run in Sandbox" profile judges a file's cases in its session (compiled once); a wrong answer shows
 * expected against actual as a diff, a runtime error on its line.
 */
export class TestExplorer implements vscode.Disposable {
  private readonly controller = vscode.tests.createTestController("codebeaker", "CodeBeaker");
  private readonly watcher = vscode.workspace.createFileSystemWatcher(`**/*${CASE_FILE_SUFFIX}`);
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the cases of some file were read again: CodeLenses follow. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly files: FileJudge) {
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.discover();
    };
    this.controller.refreshHandler = () => this.discover();
    this.controller.createRunProfile("Run in Sandbox", vscode.TestRunProfileKind.Run, (request, token) => this.run(request, token), true);
    this.watcher.onDidCreate((uri) => void this.read(uri));
    this.watcher.onDidChange((uri) => void this.read(uri));
    this.watcher.onDidDelete((uri) => this.remove(uri));
    void this.discover(); // the CodeLenses need to know which files have cases before the Testing view opens
  }

  /** The test item of a source file, reading its case file when it has one. */
  async itemOf(source: vscode.Uri): Promise<vscode.TestItem | undefined> {
    return this.controller.items.get(source.toString()) ?? (await this.read(vscode.Uri.file(caseFileOf(source.fsPath))));
  }

  /** Runs a file's cases (the CodeLens and the command do this), as the Test Explorer would. */
  async runFile(source: vscode.Uri): Promise<void> {
    const item = await this.itemOf(source);
    if (!item) {
      void vscode.window.showInformationMessage(
        `${vscode.workspace.asRelativePath(source)} has no test cases yet: add ${caseFileOf(source.fsPath).split(/[/\\]/).pop()} beside it, or use CodeBeaker: Add Last Run as Test Case.`,
      );
      return;
    }
    const cancel = new vscode.CancellationTokenSource();
    try {
      await this.run(new vscode.TestRunRequest([item]), cancel.token);
    } finally {
      cancel.dispose();
    }
  }

  /** How many cases a file has (0 when none). */
  caseCount(source: vscode.Uri): number {
    return this.controller.items.get(source.toString())?.children.size ?? 0;
  }

  private async discover(): Promise<void> {
    const found = await vscode.workspace.findFiles(`**/*${CASE_FILE_SUFFIX}`, "**/node_modules/**");
    await Promise.all(found.map((uri) => this.read(uri)));
  }

  private async read(caseFile: vscode.Uri): Promise<vscode.TestItem | undefined> {
    const sourcePath = sourceOf(caseFile.fsPath);
    if (!sourcePath) return undefined;
    const source = vscode.Uri.file(sourcePath);
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(caseFile));
    } catch {
      this.remove(caseFile);
      return undefined;
    }
    const item =
      this.controller.items.get(source.toString()) ??
      this.controller.createTestItem(source.toString(), vscode.workspace.asRelativePath(source), source);
    this.controller.items.add(item);
    const parsed = parseCaseFile(text);
    item.error = parsed.ok
      ? undefined
      : new vscode.MarkdownString().appendText(`${vscode.workspace.asRelativePath(caseFile)}: ${parsed.error}`);
    item.children.replace(
      parsed.ok
        ? parsed.file.cases.map((testCase, index) => {
            const child = this.controller.createTestItem(`${source.toString()}#${index}`, testCase.name ?? `case ${index + 1}`, caseFile);
            child.range = new vscode.Range(parsed.lines[index] ?? 0, 0, parsed.lines[index] ?? 0, 0);
            return child;
          })
        : [],
    );
    this.changed.fire();
    return item;
  }

  private remove(caseFile: vscode.Uri): void {
    const sourcePath = sourceOf(caseFile.fsPath);
    if (sourcePath) this.controller.items.delete(vscode.Uri.file(sourcePath).toString());
    this.changed.fire();
  }

  private async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const run = this.controller.createTestRun(request);
    // The files asked for, each with the indexes of its cases to run (all of them when the file itself was).
    const wanted = new Map<vscode.TestItem, Set<number> | "all">();
    const requested = request.include ?? [...gather(this.controller.items)];
    for (const item of requested) {
      const file = item.parent ?? item;
      if (item === file) wanted.set(file, "all");
      else if (wanted.get(file) !== "all") wanted.set(file, new Set([...((wanted.get(file) as Set<number>) ?? []), indexOf(item)]));
    }
    try {
      for (const [file, which] of wanted) {
        if (token.isCancellationRequested) break;
        await this.runFileItem(run, file, which, request.exclude ?? [], token);
      }
    } finally {
      run.end();
    }
  }

  private async runFileItem(
    run: vscode.TestRun,
    file: vscode.TestItem,
    which: Set<number> | "all",
    exclude: readonly vscode.TestItem[],
    token: vscode.CancellationToken,
  ): Promise<void> {
    const caseFile = vscode.Uri.file(caseFileOf(file.uri!.fsPath));
    const parsed = parseCaseFile(new TextDecoder().decode(await vscode.workspace.fs.readFile(caseFile)));
    if (!parsed.ok) {
      run.errored(file, new vscode.TestMessage(`${vscode.workspace.asRelativePath(caseFile)}: ${parsed.error}`));
      return;
    }
    const items = [...gather(file.children)].sort((a, b) => indexOf(a) - indexOf(b));
    const chosen = items.filter((item) => (which === "all" || which.has(indexOf(item))) && !exclude.includes(item));
    if (!chosen.length) return;
    for (const item of chosen) run.enqueued(item);
    const runId = randomUUID();
    const stop = token.onCancellationRequested(() => void this.files.stop(runId));
    try {
      for (const item of chosen) run.started(item);
      const cases = chosen.map((item) => ({ ...parsed.file.cases[indexOf(item)]!, name: item.label }));
      const judged = await this.files.judge(file.uri!, { cases, compare: parsed.file.compare, runId });
      if (judged.status === "CompilationError") {
        const messages = compileMessages(judged, file.uri!);
        for (const item of chosen) run.errored(item, messages);
        return;
      }
      judged.verdicts.forEach((verdict, index) => report(run, chosen[index]!, verdict, file.uri!));
    } catch (error) {
      for (const item of chosen)
        run.errored(item, new vscode.TestMessage(`CodeBeaker could not run the cases: ${(error as Error).message}`));
    } finally {
      stop.dispose();
    }
  }

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
    this.controller.dispose();
  }
}

function report(run: vscode.TestRun, item: vscode.TestItem, verdict: Verdict, source: vscode.Uri): void {
  if (verdict.stdout) run.appendOutput(verdict.stdout.replace(/\r?\n/g, "\r\n"), undefined, item);
  const duration = verdict.metrics.wallMs;
  switch (verdict.status) {
    case "Accepted":
      return run.passed(item, duration);
    case "WrongAnswer": {
      const message = vscode.TestMessage.diff(
        `Wrong answer: ${verdict.diff!.split("\n")[0]}`,
        verdict.expectedOutput ?? "",
        verdict.stdout,
      );
      message.location = item.uri && item.range ? new vscode.Location(item.uri, item.range) : undefined;
      return run.failed(item, message, duration);
    }
    case "Cancelled":
      return run.skipped(item);
    default: {
      // The exception where there is one ("ValueError: …" on its line), then how the run ended and its stderr.
      const error = verdict.diagnostics.find((diagnostic) => diagnostic.severity === "error");
      const headline = error ? `${error.code}: ${error.message}\n\n` : "";
      const message = new vscode.TestMessage(`${headline}${verdict.error ?? verdict.status}`);
      if (error) message.location = locationOf(error, source);
      return run.failed(item, message, duration);
    }
  }
}

function compileMessages(judged: SessionJudgeResult, source: vscode.Uri): vscode.TestMessage[] {
  const errors = judged.diagnostics.filter((diagnostic) => diagnostic.severity === "error");
  if (!errors.length) return [new vscode.TestMessage(`Compilation failed:\n${judged.compile?.stderr || judged.compile?.stdout || ""}`)];
  return errors.map((error) => {
    const message = new vscode.TestMessage(`Compilation error ${error.code}: ${error.message}`);
    message.location = locationOf(error, source);
    return message;
  });
}

/** A diagnostic's place: paths are relative to /workspace, which mirrors the source's workspace folder. */
function locationOf(diagnostic: Diagnostic, source: vscode.Uri): vscode.Location {
  const folder = vscode.workspace.getWorkspaceFolder(source);
  const uri = folder ? vscode.Uri.joinPath(folder.uri, diagnostic.path) : source;
  return new vscode.Location(uri, new vscode.Position(diagnostic.line - 1, Math.max(0, diagnostic.column - 1)));
}

function* gather(collection: vscode.TestItemCollection): Iterable<vscode.TestItem> {
  for (const [, item] of collection) yield item;
}

function indexOf(item: vscode.TestItem): number {
  return Number(item.id.slice(item.id.lastIndexOf("#") + 1));
}
