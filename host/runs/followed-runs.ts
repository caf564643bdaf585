import { StringDecoder } from "node:string_decoder";
import type { RunHandle } from "../isolation/backend";
import { invalidParams } from "../../contract/protocol/errors";
import { RunOutput, RunStage } from "../../contract/protocol/methods";
import type { Notifier } from "./notifier";
import type { RunOptions } from "./stages";

/**
 * Runs a client follows by the runId it gave session.execute: their output goes to that client as run.output,
 * and run.stop and run.input reach the stage running now, by name.
 */
export class FollowedRuns {
  private readonly current = new Map<string, { handle?: RunHandle; stopRequested: boolean }>();

  /** The options that make a run followable; call `forget` when the command has answered. */
  follow(runId: string, context: Notifier, interactive: boolean): RunOptions {
    if (this.current.has(runId)) throw invalidParams(`runId: a run named ${runId} is already running`);
    const run: { handle?: RunHandle; stopRequested: boolean } = { stopRequested: false };
    this.current.set(runId, run);
    const decoders = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
    const send = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
      const text = decoders[stream].write(chunk); // a character split between chunks waits for its other half
      if (text) context.notify(RunOutput.method, { runId, stream, text });
    };
    return {
      interactive,
      observer: { onStdout: send("stdout"), onStderr: send("stderr") },
      onStage: (stage, handle) => {
        run.handle = handle;
        context.notify(RunStage.method, { runId, stage });
        if (run.stopRequested) handle.kill();
      },
    };
  }

  forget(runId: string): void {
    this.current.delete(runId);
  }

  /** Stops the run's current stage; a stop before it started stops it as it starts. False for no such run. */
  stop(runId: string): boolean {
    const run = this.current.get(runId);
    if (!run) return false;
    run.stopRequested = true;
    run.handle?.kill();
    return true;
  }

  input(runId: string, text: string | undefined, eof: boolean): void {
    const handle = this.current.get(runId)?.handle;
    if (!handle) return; // the run has ended: what was typed after it has nowhere to go
    if (text) handle.writeStdin(text);
    if (eof) handle.endStdin();
  }
}
