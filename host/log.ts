/** The host's log. It goes to stderr: stdout may be the JSON-RPC channel. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const LEVELS = ["debug", "info", "warn", "error"] as const;
type Level = (typeof LEVELS)[number];

export function stderrLogger(minimum: Level = (process.env.CODEBEAKER_LOG as Level) || "info"): Logger {
  const threshold = Math.max(0, LEVELS.indexOf(minimum));
  const write = (level: Level) => (message: string) => {
    if (LEVELS.indexOf(level) >= threshold) process.stderr.write(`[codebeaker ${level}] ${message}\n`);
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
