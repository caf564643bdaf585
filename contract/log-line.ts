/** How the host writes a log line to stderr, and how the extension reads it back into its output channel. */
export const LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LEVELS)[number];

/** `[codebeaker info] message`: how a log line is written, and read back by the extension's output channel. */
const LINE = /^\[codebeaker (debug|info|warn|error)\] (.*)$/;

export function logLine(level: LogLevel, message: string): string {
  return `[codebeaker ${level}] ${message}`;
}

/**
 * The level and message of a line the host wrote to stderr. A line that is not a log line (a crash's stack trace,
 * Node's own warnings) is an error: nothing the host meant to say quietly looks like that.
 */
export function readLogLine(line: string): { level: LogLevel; message: string } {
  const match = LINE.exec(line);
  return match ? { level: match[1] as LogLevel, message: match[2] ?? "" } : { level: "error", message: line };
}
