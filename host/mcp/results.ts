import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { Diagnostic, ErrorLocation } from "../../contract/protocol/diagnostics";
import { RpcError } from "../../contract/protocol/errors";
import { CommandStatus, Metrics } from "../../contract/protocol/results";
import { RunReading, withoutFinalLineBreak } from "../../contract/protocol/run-reading";
import type { SessionExecuteResult } from "../../contract/protocol/session";
import { summaryLine } from "../../contract/protocol/summary";

/** What a tool that ran a program answers in structuredContent (its outputSchema, declared once here). */
export const RunOutput = z.object({
  status: CommandStatus,
  exitCode: z.number().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  /** The headline of the error when it failed (the exception, the compiler's first error, the limit hit). */
  error: z.string().nullable(),
  metrics: Metrics.nullable(),
  /** The error's type: an exception class, a compiler code, TimeLimitExceeded… */
  errorType: z.string().nullable(),
  /** Where it failed first, in the user's files. */
  location: ErrorLocation.nullable(),
  diagnostics: z.array(Diagnostic),
});
export type RunOutput = z.infer<typeof RunOutput>;

/** run_code's answer: the run, and the version of its file the run history keeps. */
export const RunCodeOutput = RunOutput.extend({
  language: z.string(),
  /** The language version that ran it ("3.13"). */
  runtimeVersion: z.string(),
  /** The file that ran, relative to /workspace; null when nothing ran (the file was not there). */
  file: z.string().nullable(),
  /** Its version in history_list (v1, v2, …), null when the run was not recorded. */
  version: z.number().nullable(),
});
export type RunCodeOutput = z.infer<typeof RunCodeOutput>;

export function runOutput(answer: SessionExecuteResult, reading: RunReading): RunOutput {
  return {
    status: answer.status,
    exitCode: answer.exitCode,
    stdout: answer.stdout,
    stderr: answer.stderr,
    error: reading.headline,
    metrics: answer.metrics,
    errorType: answer.errorType,
    location: reading.location,
    diagnostics: answer.diagnostics,
  };
}

/**
 * A run as an agent reads it: the output, then the summary line the CLI prints, then where it failed and any
 * notes. `isError` when the program failed, so an agent cannot take a crash for a result.
 */
export function runResult(answer: SessionExecuteResult, reading: RunReading, structured: RunOutput, notes: string[] = []): CallToolResult {
  const lines = [outputText(answer, reading), summaryLine(answer, reading)];
  const { location } = reading;
  if (location) lines.push(`${answer.errorType ?? "error"} at ${location.path} line ${location.line}, column ${location.column}`);
  if (reading.stage?.stdoutTruncated || reading.stage?.stderrTruncated) lines.push("(output truncated: only its head was kept)");
  lines.push(...notes);
  return { content: [{ type: "text", text: lines.join("\n") }], structuredContent: structured, isError: !answer.success };
}

function outputText(answer: SessionExecuteResult, reading: RunReading): string {
  if (!answer.stdout && !answer.stderr) return "(no output)";
  const parts = [];
  if (answer.stdout) parts.push(reading.output);
  if (answer.stderr) parts.push(`[stderr]\n${withoutFinalLineBreak(answer.stderr)}`);
  return parts.join("\n");
}

/** A result in text, with its data beside it for clients that read structuredContent. */
export function textResult(text: string, structured?: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text }], ...(structured ? { structuredContent: structured } : {}) };
}

/** A command of the host that answered but failed (a file not found): its message, as a failed tool call. */
export function commandFailure(answer: SessionExecuteResult): CallToolResult {
  const code = answer.errorCode ? ` (${answer.errorCode})` : "";
  return { content: [{ type: "text", text: `${answer.error ?? answer.status}${code}` }], isError: true };
}

/**
 * A thrown error as a failed tool call. The host's JSON-RPC errors carry messages written for the caller
 * ("Invalid params: command.path: path "../x" resolves to /x, outside /workspace"): they go through as they are.
 */
export function errorResult(error: unknown): CallToolResult {
  const message = error instanceof RpcError ? error.message : `Internal error: ${error instanceof Error ? error.message : String(error)}`;
  return { content: [{ type: "text", text: message }], isError: true };
}
