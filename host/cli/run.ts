import { readFile } from "node:fs/promises";
import { constants } from "node:os";
import { basename } from "node:path";
import type { Host } from "../host";
import type { SessionExecuteResult } from "../../contract/protocol/session";
import { readRun, RunReading } from "../../contract/protocol/run-reading";
import { summaryLine } from "../../contract/protocol/summary";
import { splitLanguageVersion, versionList } from "../../contract/runtimes/versions";
import { executeCommand } from "../commands/execute";
import { TerminalFilter } from "./terminal-filter";

export interface RunFileOptions {
  file: string;
  /** A language, or a language and its version: python, python@3.11. */
  language?: string;
  timeoutMs?: number;
  memoryMb?: number;
  network: boolean;
  /** Keep the toolchain warm (docs/WARM.md); false with --cold. */
  warm: boolean;
}

/**
 * `codebeaker run FILE`: runs one file in a fresh session, streaming its output and forwarding stdin, then
 * prints a one-line summary and returns the exit code to end with.
 */
export async function runFile(host: Host, options: RunFileOptions): Promise<number> {
  const asked = options.language ? splitLanguageVersion(options.language) : undefined;
  const runtime = asked ? host.registry.find(asked.language) : host.registry.forFile(options.file);
  if (!runtime) {
    const known = host.registry.languages().join(", ");
    process.stderr.write(
      asked
        ? `codebeaker: unknown language "${asked.language}" (known: ${known})\n`
        : `codebeaker: cannot tell the language of ${options.file} from its extension; pass --lang (${known})\n`,
    );
    return 2;
  }
  if (asked?.version !== undefined && !host.registry.find(runtime.manifest.language, asked.version)) {
    const versions = versionList(host.registry.versions(runtime.manifest.language));
    process.stderr.write(
      `codebeaker: ${runtime.manifest.language} has no version "${asked.version}" (there are ${versions}; --lang ${runtime.manifest.language}@VERSION)\n`,
    );
    return 2;
  }
  const code = await readFile(options.file, "utf8");
  const session = await host.sessions.create(
    {
      language: runtime.manifest.language,
      ...(asked?.version ? { version: asked.version } : {}),
      idleTimeoutMinutes: 30,
      maxLifetimeMinutes: 120,
      timeoutMs: options.timeoutMs,
      memoryLimitMB: options.memoryMb,
      networkEnabled: options.network,
      warm: options.warm,
    },
    (progress) => {
      if (progress.phase !== "step" || process.env.CODEBEAKER_LOG === "debug") {
        process.stderr.write(`codebeaker: ${progress.message}\n`);
      }
    },
  );
  const name = basename(options.file);
  const result = await executeCommand(
    session,
    { type: "execute_code", code, ...(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name) ? { fileName: name } : {}) },
    {
      observer: { onStdout: toTerminal(process.stdout), onStderr: toTerminal(process.stderr) },
      interactive: true,
      onStage: (kind, handle) => {
        if (kind !== "run") return;
        // Ctrl-C stops the program, not this process: the summary still says how the run ended.
        const stop = () => handle.kill();
        process.once("SIGINT", stop);
        process.stdin.on("data", (chunk: Buffer) => handle.writeStdin(chunk));
        process.stdin.once("end", () => handle.endStdin());
        void handle.outcome
          .finally(() => {
            process.off("SIGINT", stop);
            process.stdin.destroy();
          })
          .catch(() => undefined);
      },
    },
  );
  const reading = readRun(result);
  process.stderr.write(`${summaryLine(result, reading)}\n`);
  return exitCodeOf(result, reading);
}

/** Writes a program's output to `stream`; through a TerminalFilter when it is a terminal the program must not drive. */
function toTerminal(stream: NodeJS.WriteStream): (chunk: Buffer) => void {
  if (!stream.isTTY) return (chunk) => stream.write(chunk);
  const filter = new TerminalFilter();
  return (chunk) => stream.write(filter.push(chunk));
}

/** The program's own code; 128 + signal when it was killed; 124 on a timeout (as timeout(1)); 130 on Ctrl-C. */
export function exitCodeOf(result: SessionExecuteResult, { stage }: RunReading = readRun(result)): number {
  if (result.status === "TimeLimitExceeded") return 124;
  if (result.status === "Cancelled") return 130;
  if (result.exitCode !== null) return result.exitCode;
  if (stage?.signal) return 128 + (constants.signals[stage.signal as NodeJS.Signals] ?? 9);
  return result.success ? 0 : 70;
}
