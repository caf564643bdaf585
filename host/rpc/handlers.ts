import type { Isolations } from "../isolation/isolations";
import {
  ImageProgress,
  IsolationStatus,
  RunInput,
  RunStop,
  SessionClose,
  SessionCreate,
  SessionExecute,
  SessionList,
  WorkspaceSync,
} from "../protocol/methods";
import { executeCommand } from "../sessions/execute";
import { FollowedRuns } from "../sessions/followed-runs";
import type { SessionManager } from "../sessions/manager";
import { syncWorkspace } from "../sessions/workspace-sync";
import type { Dispatcher } from "./dispatcher";

/** The guide's four methods on the session manager, and beside them the ones an editor needs. */
export function registerSessionMethods(dispatcher: Dispatcher, sessions: SessionManager, isolations: Isolations): Dispatcher {
  const runs = new FollowedRuns();
  return dispatcher
    .on(SessionCreate, async (params, context) => {
      const session = await sessions.create(params, (progress) => context.notify(ImageProgress.method, progress));
      return session.createResult();
    })
    .on(SessionExecute, async (params, context) => {
      const session = sessions.get(params.sessionId);
      if (!params.runId) return executeCommand(session, params.command);
      const options = runs.follow(params.runId, context, params.interactive ?? false);
      try {
        return await executeCommand(session, params.command, options);
      } finally {
        runs.forget(params.runId);
      }
    })
    .on(SessionList, async () => sessions.list())
    .on(SessionClose, async (params) => {
      await sessions.close(params.sessionId, "it was closed by session.close");
      return { sessionId: params.sessionId, closed: true };
    })
    .on(WorkspaceSync, async (params) => syncWorkspace(sessions.get(params.sessionId), params))
    .on(RunStop, async (params) => ({ runId: params.runId, stopped: runs.stop(params.runId) }))
    .onNotification(RunInput, (params) => runs.input(params.runId, params.text, params.eof ?? false))
    .on(IsolationStatus, async () => isolations.status());
}
