import { posix } from "node:path";
import { unifiedDiff } from "../history/diff";
import type { HistoryRecorder } from "../history/recorder";
import { repeat } from "../history/repeat";
import type { WorkspaceHistory } from "../history/store";
import { invalidParams } from "../../contract/protocol/errors";
import type { HistoryRollbackResult, HistoryRun } from "../../contract/protocol/history";
import {
  HistoryCompare,
  HistoryGet,
  HistoryList,
  HistoryRestoreLastSuccess,
  HistoryRollback,
  SessionRepeat,
} from "../../contract/protocol/methods";
import { WORKSPACE_ROOT } from "../../contract/protocol/workspace-path";
import { executeCommand } from "../commands/execute";
import { restoreFile } from "../commands/file-commands";
import type { SessionManager } from "../sessions/manager";
import type { Session } from "../sessions/session";
import type { Dispatcher } from "./dispatcher";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** history.* and session.repeat, on the recorder's store. */
export function registerHistoryMethods(dispatcher: Dispatcher, sessions: SessionManager, recorder: HistoryRecorder): Dispatcher {
  const open = (workspace: string) => recorder.store.workspace(workspace);
  return dispatcher
    .on(HistoryList, async (params) => {
      const runs = (await open(params.workspace)).list(params);
      return { count: runs.length, runs };
    })
    .on(HistoryGet, async (params) => {
      const history = await open(params.workspace);
      const run = "id" in params ? history.byId(params.id) : history.version(params.path, params.version);
      if (!run)
        throw invalidParams("id" in params ? `id: no run ${params.id}` : `version: ${params.path} has no version ${params.version}`);
      const contents = await Promise.all(
        run.files.map(async (file) => ({ path: file.path, ...asText((await history.content(run, file.path))!) })),
      );
      return { run, contents };
    })
    .on(HistoryRollback, async (params) => {
      const history = await open(params.workspace);
      const run = history.version(params.path, params.version);
      if (!run) throw invalidParams(`version: ${params.path} has no version ${params.version} in workspace ${params.workspace}`);
      return restore(history, run, params.sessionId ? sessions.get(params.sessionId) : undefined);
    })
    .on(HistoryRestoreLastSuccess, async (params) => {
      const history = await open(params.workspace);
      const run = history.latest(params.path, "Success");
      if (!run) throw invalidParams(`path: ${params.path} has no successful run in workspace ${params.workspace}`);
      return restore(history, run, params.sessionId ? sessions.get(params.sessionId) : undefined);
    })
    .on(HistoryCompare, async (params) => {
      const history = await open(params.workspace);
      const from = history.version(params.path, params.from);
      const to = params.to === undefined ? history.latest(params.path) : history.version(params.path, params.to);
      if (!from || !to) throw invalidParams(`${!from ? "from" : "to"}: ${params.path} has no such version`);
      const [before, after] = [await history.content(from), await history.content(to)].map((content) => content!.toString("utf8"));
      return {
        path: params.path,
        from: { version: from.version, content: before! },
        to: { version: to.version, content: after! },
        ...unifiedDiff(before!, after!, params.path),
      };
    })
    .on(SessionRepeat, async (params) => {
      const session = sessions.get(params.sessionId);
      return repeat(params.times, (command) => executeCommand(session, command), params.command);
    });
}

async function restore(history: WorkspaceHistory, run: HistoryRun, session: Session | undefined): Promise<HistoryRollbackResult> {
  const content = (await history.content(run))!;
  if (session) {
    await restoreFile(session, posix.join(WORKSPACE_ROOT, run.path), content);
  }
  return { path: run.path, version: run.version, ...asText(content), written: session !== undefined };
}

function asText(content: Buffer): { content: string; encoding: "utf8" | "base64" } {
  try {
    return { content: utf8.decode(content), encoding: "utf8" };
  } catch {
    return { content: content.toString("base64"), encoding: "base64" };
  }
}
