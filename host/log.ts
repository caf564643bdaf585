import { LEVELS, logLine, LogLevel } from "../contract/log-line";

export type { LogLevel };

/** The host's log. It goes to stderr: stdout may be the JSON-RPC channel. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function stderrLogger(minimum: LogLevel = (process.env.CODEBEAKER_LOG as LogLevel) || "info"): Logger {
  const threshold = Math.max(0, LEVELS.indexOf(minimum));
  const write = (level: LogLevel) => (message: string) => {
    if (LEVELS.indexOf(level) >= threshold) process.stderr.write(`${logLine(level, message)}\n`);
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
