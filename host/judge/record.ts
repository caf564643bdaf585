import type { HistoryRecorder } from "../history/recorder";
import { judge, JudgedSource } from "./judge";
import type { z } from "zod";
import type { SessionJudgeParams, SessionJudgeResult } from "../../contract/protocol/judge";
import { HistoryChanged, JudgeCaseEnded } from "../../contract/protocol/methods";
import type { RunOptions } from "../runs/run-commands";
import type { Session } from "../sessions/session";
import type { Notifier } from "../runs/notifier";

/**
 * session.judge: each case's run (or the failed compile) is recorded in the history as a version of the file,
 * marked with its case; a followed judge tells its client of each verdict as it comes.
 */
export async function judgeAndRecord(
  session: Session,
  params: z.output<typeof SessionJudgeParams>,
  follow: RunOptions,
  recorder: HistoryRecorder,
  context: Notifier,
): Promise<SessionJudgeResult> {
  let source: JudgedSource | undefined;
  return judge(session, params, {
    ...follow,
    onSource: (judged) => (source = judged),
    onRun: async (answer, verdict, index) => {
      const recorded = await recorder.record(session, source!, answer, verdict?.name);
      context.notify(HistoryChanged.method, { workspace: recorded.workspace, run: recorded });
      if (params.runId && verdict) {
        context.notify(JudgeCaseEnded.method, { runId: params.runId, index, total: params.cases.length, verdict });
      }
    },
  });
}
