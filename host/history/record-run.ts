import { posix } from "node:path";
import type { Command } from "../../contract/protocol/commands";
import { HistoryChanged } from "../../contract/protocol/methods";
import type { SessionExecuteResult } from "../../contract/protocol/session";
import { WORKSPACE_ROOT } from "../../contract/protocol/workspace-path";
import { entryFileName } from "../../contract/runtimes/entry-file";
import type { Notifier } from "../runs/notifier";
import type { Session } from "../sessions/session";
import type { HistoryRecorder, RecordedSource } from "./recorder";

/**
 * Runs a command, recording it in the history when it is a run of a file (execute_code, run_file): the file's
 * text is taken before it runs (and handed to run_file, which need not read it again), and the client that ran
 * it hears of the new version.
 */
export async function executeAndRecord(
  session: Session,
  command: Command,
  run: (fileContent?: Buffer) => Promise<SessionExecuteResult>,
  recorder: HistoryRecorder,
  context: Notifier,
): Promise<SessionExecuteResult> {
  const source = await sourceOf(session, command);
  if (source) recorder.storeAhead(session, source);
  const answer = await run(command.type === "run_file" ? source?.content : undefined);
  if (source && answer.status !== "FileError") {
    const recorded = await recorder.record(session, source, answer);
    context.notify(HistoryChanged.method, { workspace: recorded.workspace, run: recorded });
  }
  return answer;
}

async function sourceOf(session: Session, command: Command): Promise<RecordedSource | undefined> {
  if (command.type === "execute_code") {
    const selected = command.selectedFrom;
    const file = selected && (await fileOf(session, selected.path));
    if (selected && file) return { ...file, lines: { start: selected.startLine, end: selected.endLine } };
    return { path: command.fileName ?? entryFileName(session.runtime.manifest, command.code), content: Buffer.from(command.code) };
  }
  if (command.type !== "run_file") return undefined;
  return fileOf(session, command.path); // not there: the run says so, and there is nothing to record
}

async function fileOf(session: Session, path: string): Promise<RecordedSource | undefined> {
  const content = await session.exclusive(() => session.sandbox.readFile(path, 16 << 20)).catch(() => undefined);
  return content && { path: posix.relative(WORKSPACE_ROOT, path), content };
}
