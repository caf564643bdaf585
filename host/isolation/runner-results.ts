import { WORKSPACE_ROOT } from "../../contract/protocol/workspace-path";
import type { RunOutcome } from "./backend";

/** What a run's frames from the runner amount to: the head of each output stream, and the result as a RunOutcome. */

/**
 * The most of each output stream a run's answer holds, whatever the output limit. An answer carries stdout three
 * times (stdout, result, stages.run.stdout) and stderr twice, and JSON writes a control byte as six characters
 * (`\u0001`): at 8 MB a stream, the largest answer is 240 M characters, well under the longest string V8 can
 * make (2^29 - 24), so it can always be sent. A program may still write up to its output limit: a client that
 * follows the run (run.output) hears all of it, and the answer keeps the head (`stdoutTruncated`).
 */
export const HELD_OUTPUT_BYTES = 8 << 20;

/** The head of one output stream, in one buffer that grows as output comes, up to its capacity. */
export class HeldOutput {
  private buffer = Buffer.alloc(0);
  private length = 0;

  constructor(private readonly capacity: number) {}

  push(chunk: Buffer): void {
    const taken = Math.min(chunk.length, this.capacity - this.length);
    if (taken <= 0) return;
    if (this.length + taken > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.capacity, Math.max(64 << 10, 2 * (this.length + taken))));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    chunk.copy(this.buffer, this.length, 0, taken);
    this.length += taken;
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

/** A run's 'r' frame (its result fields) with the output held, as the backend interface says a run ended. */
export function toOutcome(fields: Map<string, string>, stdout: Buffer, stderr: Buffer): RunOutcome {
  const number = (key: string) => (fields.has(key) ? Number(fields.get(key)) : null);
  const flag = (key: string) => fields.get(key) === "1";
  return {
    exitCode: number("exit_code"),
    signal: number("signal"),
    spawnError: fields.has("spawn_error")
      ? {
          step: (fields.get("spawn_step") ?? "exec") as "mkdir" | "env" | "chdir" | "exec",
          message: fields.get("spawn_error") ?? "",
          errno: number("spawn_errno") ?? 0,
        }
      : null,
    wallMs: (number("wall_us") ?? 0) / 1000,
    cpuMs: (number("cpu_us") ?? 0) / 1000,
    peakMemoryBytes: (number("maxrss_kb") ?? 0) * 1024,
    stdout,
    stderr,
    stdoutBytes: number("stdout_bytes") ?? stdout.length,
    stderrBytes: number("stderr_bytes") ?? stderr.length,
    timedOut: flag("timed_out"),
    outputExceeded: flag("output_exceeded"),
    killed: flag("killed"),
    oomKilled: flag("oom"),
    warm: flag("warm"),
    filesystems: [
      ["tmp", "/tmp"],
      ["workspace", WORKSPACE_ROOT],
    ].flatMap(([name, path]) =>
      fields.has(`${name}_size`) ? [{ path: path!, usedBytes: number(`${name}_used`) ?? 0, sizeBytes: number(`${name}_size`) ?? 0 }] : [],
    ),
  };
}
