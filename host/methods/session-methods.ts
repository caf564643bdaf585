import type { HistoryRecorder } from "../history/recorder";
import type { Isolations } from "../isolation/isolations";
import {
  ImageProgress,
  IsolationStatus,
  RunInput,
  RunStop,
  SessionClose,
  SessionCreate,
  SessionExecute,
  SessionJudge,
  SessionList,
  WorkspaceSync,
} from "../../contract/protocol/methods";
import { executeCommand } from "../commands/execute";
import { FollowedRuns } from "../runs/followed-runs";
import type { SessionManager } from "../sessions/manager";
import { decodeChange, syncWorkspace } from "../mirror/workspace-sync";
import type { Dispatcher } from "./dispatcher";
import { executeAndRecord } from "../history/record-run";
import { judgeAndRecord } from "../judge/record";

/** The guide's four methods on the session manager, and beside them the ones an editor needs. */
export function registerSessionMethods(
  dispatcher: Dispatcher,
  sessions: SessionManager,
  isolations: Isolations,
  recorder: HistoryRecorder,
): Dispatcher {
  const runs = new FollowedRuns();
  return dispatcher
    .on(SessionCreate, async (params, context) => {
      const session = await sessions.create(params, (progress) => context.notify(ImageProgress.method, progress));
      recorder.track(session.id, params.workspace);
      return session.createResult();
    })
    .on(SessionExecute, async (params, context) => {
      const session = sessions.get(params.sessionId);
      const options = params.runId ? runs.follow(params.runId, context, params.interactive ?? false) : {};
      try {
        return await executeAndRecord(
          session,
          params.command,
          (fileContent) => executeCommand(session, params.command, { ...options, fileContent }),
          recorder,
          context,
        );
      } finally {
        if (params.runId) runs.forget(params.runId);
      }
    })
    .on(SessionJudge, async (params, context) => {
      const session = sessions.get(params.sessionId);
      const options = params.runId ? runs.follow(params.runId, context, false) : {};
      try {
        return await judgeAndRecord(session, params, options, recorder, context);
      } finally {
        if (params.runId) runs.forget(params.runId);
      }
    })
    .on(SessionList, async () => sessions.list())
    .on(SessionClose, async (params) => {
      await sessions.close(params.sessionId, "it was closed by session.close");
      recorder.forget(params.sessionId);
      return { sessionId: params.sessionId, closed: true };
    })
    .on(WorkspaceSync, async (params) => {
      const change = decodeChange(params);
      const result = await syncWorkspace(sessions.get(params.sessionId), change);
      recorder.noteWrites(params.sessionId, change.write);
      return result;
    })
    .on(RunStop, async (params) => ({ runId: params.runId, stopped: runs.stop(params.runId) }))
    .onNotification(RunInput, (params) => runs.input(params.runId, params.text, params.eof ?? false))
    .on(IsolationStatus, async () => isolations.status());
}
