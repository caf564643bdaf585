/** The host's log. It goes to stderr: stdout may be the JSON-RPC channel. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const LEVELS = ["debug", "info", "warn", "error"] as const;
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

export function stderrLogger(minimum: LogLevel = (process.env.CODEBEAKER_LOG as LogLevel) || "info"): Logger {
  const threshold = Math.max(0, LEVELS.indexOf(minimum));
  const write = (level: LogLevel) => (message: string) => {
    if (LEVELS.indexOf(level) >= threshold) process.stderr.write(`${logLine(level, message)}\n`);
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
