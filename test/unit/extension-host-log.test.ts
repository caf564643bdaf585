import { once } from "node:events";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type * as vscode from "vscode";
import { logHostLines } from "../../extension/host-log";
import { logLine } from "../../contract/log-line";

/** A log channel that records what it was given, at which level. */
function recordingChannel() {
  const written: Array<[string, string]> = [];
  const at = (level: string) => (message: string) => void written.push([level, message]);
  const channel = { trace: at("trace"), debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { channel: channel as unknown as vscode.LogOutputChannel, written };
}

describe("the host's log in the output channel", () => {
  it("keeps each line's level and drops the host's prefix; anything else the process prints is an error", async () => {
    const { channel, written } = recordingChannel();
    const stderr = new PassThrough();
    const lines = logHostLines(stderr, channel);
    stderr.end(
      [
        logLine("info", "listening on stdio"),
        logLine("debug", "session s1 created"),
        logLine("warn", "gVisor is not installed; using docker"),
        logLine("error", "building codebeaker/python failed"),
        "TypeError: Cannot read properties of undefined",
        "    at main (/ext/dist/host.js:1:2)",
      ].join("\n") + "\n",
    );
    await once(lines, "close");
    expect(written).toEqual([
      ["info", "listening on stdio"],
      ["debug", "session s1 created"],
      ["warn", "gVisor is not installed; using docker"],
      ["error", "building codebeaker/python failed"],
      ["error", "TypeError: Cannot read properties of undefined"],
      ["error", "    at main (/ext/dist/host.js:1:2)"],
    ]);
  });
});
