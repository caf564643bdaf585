import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { readRun } from "../../contract/protocol/run-reading";
import type { SessionExecuteParams } from "../../contract/protocol/session";
import { languageArgument, Stdin, TimeoutSeconds, timeoutMs, VersionArgument } from "./arguments";
import { RunCodeOutput, RunOutput, runOutput, runResult, textResult } from "./results";
import { executeIn, guarded, ToolContext } from "./tool-context";
import type { LanguageSession } from "./language-sessions";

/** run_code and execute_shell: the tools that run a program and answer with its output, status and errors. */
export function registerRunTools(server: McpServer, context: ToolContext): void {
  const languages = context.sessions.languages();

  server.registerTool(
    "run_code",
    {
      title: "Run code in a sandbox",
      description: [
        "Runs a program in a sandbox (a container with no network, 512 MB of memory, a 10 s time limit) and answers",
        "with its output, exit status, time and memory, and where it failed (exception type, file and line).",
        "Each language has one sandbox, started on first use and kept: files in its /workspace stay between calls.",
        "The code is written to `file` (default: the language's entry file, main.py, main.js, …) and run; without",
        "`code`, the file already in /workspace runs. Every run is a new version of its file in the run history.",
      ].join(" "),
      inputSchema: {
        language: languageArgument(languages),
        version: VersionArgument,
        code: z.string().optional().describe("The program. Omit it to run `file` as it already is in /workspace."),
        file: z
          .string()
          .min(1)
          .optional()
          .describe("The file name in /workspace the code is written to and run as (with code: a plain name like app.py)."),
        stdin: Stdin,
        timeoutSeconds: TimeoutSeconds,
      },
      outputSchema: RunCodeOutput,
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    },
    guarded(context.log, "run_code", async ({ language, version, code, file, stdin, timeoutSeconds }, extra) => {
      if (code === undefined && file === undefined) {
        return { ...textResult("Give `code` to run, or `file` to run a file already in /workspace."), isError: true };
      }
      const limit = timeoutMs(timeoutSeconds);
      const command: SessionExecuteParams["command"] =
        code === undefined
          ? { type: "run_file", path: file!, stdin, timeoutMs: limit }
          : { type: "execute_code", code, fileName: file, stdin, timeoutMs: limit };
      const { answer, session, recorded } = await executeIn(context, language, command, extra, version);
      const reading = readRun(answer);
      const structured: RunCodeOutput = {
        ...runOutput(answer, reading),
        language: session.language,
        runtimeVersion: session.version,
        file: recorded?.path ?? null,
        version: recorded?.version ?? null,
      };
      const notes = recorded ? [`history: ${recorded.path} v${recorded.version}`] : [];
      return runResult(answer, reading, structured, [...notes, ...replacedNote(session)]);
    }),
  );

  server.registerTool(
    "execute_shell",
    {
      title: "Run a command in a sandbox",
      description: [
        "Runs one program with arguments in a language's sandbox (not a shell line: for pipes or globs use",
        'command "sh" with args ["-c", "…"]). Same sandbox and /workspace as run_code and the file tools of that',
        "language; no network. Answers with the output and exit status; failed when the exit status is not 0.",
      ].join(" "),
      inputSchema: {
        command: z.string().min(1).describe("The program, like ls, python3, node, sh."),
        args: z.array(z.string()).optional().describe("Its arguments, one string each."),
        workingDirectory: z.string().optional().describe("Where it runs, under /workspace (default /workspace)."),
        language: languageArgument(languages, "python"),
        stdin: Stdin,
        timeoutSeconds: TimeoutSeconds,
      },
      outputSchema: RunOutput,
      annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false },
    },
    guarded(context.log, "execute_shell", async ({ command, args, workingDirectory, language, stdin, timeoutSeconds }, extra) => {
      const { answer, session } = await executeIn(
        context,
        language,
        { type: "execute_shell", commandName: command, args, workingDirectory, stdin, timeoutMs: timeoutMs(timeoutSeconds) },
        extra,
      );
      const reading = readRun(answer);
      return runResult(answer, reading, runOutput(answer, reading), replacedNote(session));
    }),
  );
}

export function replacedNote(session: LanguageSession): string[] {
  return session.replacedBecause === null
    ? []
    : [`(the earlier ${session.language} sandbox had ended: ${session.replacedBecause}; this is a new one: files written before are gone)`];
}
