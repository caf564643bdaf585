import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HistoryRecorder } from "../../host/history/recorder";
import { HistoryStore } from "../../host/history/store";
import { Command } from "../../contract/protocol/commands";
import type { SessionExecuteResult } from "../../contract/protocol/session";
import { RuntimeRegistry } from "../../contract/runtimes/registry";
import { executeAndRecord } from "../../host/history/record-run";
import type { Session } from "../../host/sessions/session";

const FILE = "app/main.py";
const TEXT = "import sys\n\nprint(1 / 0)\nprint('done')\n";

/** A session whose /workspace holds FILE, enough for the recorder: nothing runs in it. */
function sessionWithFile(): Session {
  const files = new Map([[`/workspace/${FILE}`, Buffer.from(TEXT)]]);
  return {
    id: "s1",
    language: "python",
    runtime: RuntimeRegistry.builtIn().find("python")!,
    exclusive: <T>(work: () => Promise<T>) => work(),
    sandbox: {
      readFile: async (path: string) => {
        const content = files.get(path);
        if (!content) throw new Error(`no ${path}`);
        return content;
      },
    },
  } as unknown as Session;
}

const failed = {
  status: "RuntimeError",
  success: false,
  error: "ZeroDivisionError: division by zero",
  exitCode: 1,
  stdout: "",
  stderr: "",
  metrics: null,
  diagnostics: [],
  errorType: "ZeroDivisionError",
} as unknown as SessionExecuteResult;

async function record(command: unknown) {
  const recorder = new HistoryRecorder(new HistoryStore(mkdtempSync(join(tmpdir(), "codebeaker-selection-")), 100));
  recorder.track("s1", "file:///work/folder");
  const heard: unknown[] = [];
  await executeAndRecord(sessionWithFile(), Command.parse(command), async () => failed, recorder, {
    notify: (_, params) => heard.push(params),
  });
  const history = await recorder.store.workspace("file:///work/folder");
  return { runs: history.list({ limit: 10 }), heard };
}

describe("a selection's run in the history", () => {
  it("is a version of the file it was selected from, with the lines and the whole file's text", async () => {
    const { runs } = await record({
      type: "execute_code",
      code: "print(1 / 0)\n",
      fileName: "codebeaker_selection.py",
      selectedFrom: { path: FILE, startLine: 3, endLine: 3 },
    });
    expect(runs.map((run) => [run.path, run.lines, run.version])).toEqual([[FILE, { start: 3, end: 3 }, 1]]);
    expect(runs[0]!.files.map((file) => [file.path, file.size])).toEqual([[FILE, TEXT.length]]);
  });

  it("without the file it came from (an untitled editor) is recorded as the code it ran, as before", async () => {
    const { runs } = await record({ type: "execute_code", code: "print(1 / 0)\n", fileName: "codebeaker_selection.py" });
    expect(runs.map((run) => [run.path, run.lines])).toEqual([["codebeaker_selection.py", undefined]]);
  });
});
