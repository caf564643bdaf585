import { posix } from "node:path";
import type { HistoryRun } from "../../contract/protocol/history";
import { readRun } from "../../contract/protocol/run-reading";
import type { SessionExecuteResult } from "../../contract/protocol/session";
import { WORKSPACE_ROOT } from "../../contract/protocol/workspace-path";
import type { Stages } from "../../contract/protocol/results";
import type { Session } from "../sessions/session";
import type { HistoryStore, Snapshot } from "./store";

const HEAD_BYTES = 4096;

/** The file a run is recorded as a version of; a selection's run also has the lines that ran. */
export type RecordedSource = Snapshot & { lines?: { start: number; end: number } };

/**
 * Turns runs into history: each run of execute_code or run_file becomes the next version of its file, with the
 * file's text as it ran and the other files an editor changed (workspace.sync) since the session's last run.
 */
export class HistoryRecorder {
  /** The workspace each session records into (session.create's `workspace`). */
  private readonly workspaces = new Map<string, string>();
  /** Files written by workspace.sync since a session's last recorded run. */
  private readonly changed = new Map<string, Map<string, Buffer>>();

  constructor(readonly store: HistoryStore) {}

  track(sessionId: string, workspace: string | undefined): void {
    this.workspaces.set(sessionId, workspace ?? "default");
  }

  forget(sessionId: string): void {
    this.workspaces.delete(sessionId);
    this.changed.delete(sessionId);
  }

  workspaceOf(sessionId: string): string {
    return this.workspaces.get(sessionId) ?? "default";
  }

  noteWrites(sessionId: string, files: ReadonlyArray<{ path: string; content: Buffer }>): void {
    const pending = this.changed.get(sessionId) ?? new Map<string, Buffer>();
    for (const file of files) pending.set(relative(file.path), file.content);
    this.changed.set(sessionId, pending);
  }

  /** Starts storing the file a run will be recorded with while it runs, so that its record after the run is shorter. */
  storeAhead(session: Session, source: RecordedSource): void {
    this.store
      .recording(this.workspaceOf(session.id))
      .then((history) => history.storeAhead(source.content))
      .catch(() => undefined); // the record says what failed
  }

  /** `testCase` marks a run of session.judge with the case it ran. */
  async record(
    session: Session,
    { lines, ...source }: RecordedSource,
    answer: SessionExecuteResult,
    testCase?: string,
  ): Promise<HistoryRun> {
    const history = await this.store.recording(this.workspaceOf(session.id));
    const others = [...(this.changed.get(session.id) ?? new Map<string, Buffer>())]
      .filter(([path]) => path !== source.path)
      .map(([path, content]) => ({ path, content }));
    this.changed.delete(session.id);
    const { headline, location } = readRun(answer);
    return history.record(
      {
        path: source.path,
        ...(lines ? { lines } : {}),
        at: new Date().toISOString(),
        language: session.language,
        runtimeVersion: session.version,
        sessionId: session.id,
        status: answer.status,
        exitCode: answer.exitCode,
        metrics: answer.metrics,
        error: headline,
        location,
        errorType: answer.errorType,
        stdoutHead: answer.stdout.slice(0, HEAD_BYTES),
        stderrHead: answer.stderr.slice(0, HEAD_BYTES),
        ...(answer.stages ? { warm: warmStages(answer.stages) } : {}),
        ...(testCase === undefined ? {} : { case: testCase }),
      },
      [source, ...others],
    );
  }
}

function relative(path: string): string {
  return path.startsWith(`${WORKSPACE_ROOT}/`) ? posix.relative(WORKSPACE_ROOT, path) : path;
}

/** Which stages ran warm, as the history keeps it. */
function warmStages(stages: Stages): NonNullable<HistoryRun["warm"]> {
  return {
    ...(stages.compile ? { compile: stages.compile.warm } : {}),
    ...(stages.run ? { run: stages.run.warm } : {}),
  };
}
