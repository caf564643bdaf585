import { ImageProgress, SessionClose, SessionCreate, SessionExecute, SessionList } from "../protocol/methods";
import { executeCommand } from "../sessions/execute";
import type { SessionManager } from "../sessions/manager";
import type { Dispatcher } from "./dispatcher";

/** The guide's four methods, on the session manager. */
export function registerSessionMethods(dispatcher: Dispatcher, sessions: SessionManager): Dispatcher {
  return dispatcher
    .on(SessionCreate, async (params, context) => {
      const session = await sessions.create(params, (progress) => context.notify(ImageProgress.method, progress));
      return session.createResult();
    })
    .on(SessionExecute, async (params) => executeCommand(sessions.get(params.sessionId), params.command))
    .on(SessionList, async () => sessions.list())
    .on(SessionClose, async (params) => {
      await sessions.close(params.sessionId, "it was closed by session.close");
      return { sessionId: params.sessionId, closed: true };
    });
}
