import { createInterface, Interface } from "node:readline";
import type { Readable } from "node:stream";
import type * as vscode from "vscode";
import { readLogLine } from "../contract/log-line";

/**
 * Writes each line the host prints (its log, on stderr) into the log channel at the level the host gave it, without the
 * `[codebeaker info]` prefix the channel shows as its own `[info]` (vscode-languageclient would log every line
 * at error level).
 */
export function logHostLines(input: Readable, channel: vscode.LogOutputChannel): Interface {
  return createInterface({ input, crlfDelay: Infinity, terminal: false, historySize: 0 }).on("line", (line) => {
    const { level, message } = readLogLine(line);
    channel[level](message);
  });
}
