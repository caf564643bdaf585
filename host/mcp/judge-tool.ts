import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { firstError } from "../../contract/protocol/diagnostics";
import { Comparison, SessionJudgeResult, Verdict } from "../../contract/protocol/judge";
import { SessionJudge } from "../../contract/protocol/methods";
import { languageArgument, TimeoutSeconds, timeoutMs, VersionArgument } from "./arguments";
import { textResult } from "./results";
import { guarded, inSession, ToolContext } from "./tool-context";
import { replacedNote } from "./run-tools";

const Case = z.object({
  name: z.string().min(1).optional().describe("Shown with its verdict; case 1, case 2, … by default."),
  stdin: z.string().default("").describe("The program's standard input for this case."),
  expectedOutput: z.string().optional().describe("What it must print; omit to accept any output of a run that succeeds."),
  timeoutSeconds: TimeoutSeconds,
});

/** run_tests: session.judge for agents, a program against test cases with a verdict for each. */
export function registerJudgeTool(server: McpServer, context: ToolContext): void {
  server.registerTool(
    "run_tests",
    {
      title: "Run a program against test cases",
      description: [
        "Compiles a program once in the language's sandbox, then runs it once per test case with that case's stdin",
        "and compares its output with the expected output. Answers with a verdict per case (Accepted, WrongAnswer",
        "with where the output differs, TimeLimitExceeded, RuntimeError with the line, MemoryLimitExceeded, …) and",
        "how many passed; a compile error is the whole answer. Use it to check a solution against examples.",
      ].join(" "),
      inputSchema: {
        language: languageArgument(context.sessions.languages()),
        version: VersionArgument,
        code: z.string().optional().describe("The program. Omit it to test `file` as it already is in /workspace."),
        file: z.string().min(1).optional().describe("The file in /workspace the code is written to (or that is tested, without code)."),
        cases: z.array(Case).min(1).max(1000).describe("The test cases, run in order."),
        compare: Comparison.optional().describe(
          'How output is compared: "trimmed" (default: trailing whitespace ignored), "exact", "tokens", or a number: numbers equal within that tolerance.',
        ),
      },
      outputSchema: SessionJudgeResult,
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    },
    guarded(context.log, "run_tests", async ({ language, version, code, file, cases, compare }, extra) => {
      if (code === undefined && file === undefined) {
        return { ...textResult("Give `code` to test, or `file` to test a file already in /workspace."), isError: true };
      }
      return inSession(context, language, version, extra, async (session, runId) => {
        const source = code === undefined ? { path: file! } : { code, fileName: file };
        const judged = await context.host.call(SessionJudge, {
          sessionId: session.sessionId,
          ...source,
          compare,
          runId,
          cases: cases.map(({ timeoutSeconds, ...rest }) => ({ ...rest, timeoutMs: timeoutMs(timeoutSeconds) })),
        });
        const text = [...judgeLines(judged), ...replacedNote(session)].join("\n");
        return { ...textResult(text, judged), isError: judged.status !== "Accepted" };
      });
    }),
  );
}

/** A judge as an agent reads it: a line per case, what went wrong under the ones that failed, then the count. */
export function judgeLines(judged: SessionJudgeResult): string[] {
  if (judged.status === "CompilationError") {
    const errors = judged.diagnostics.filter((diagnostic) => diagnostic.severity === "error");
    return [
      "CompilationError: no case ran",
      ...errors.map((error) => `${error.path}:${error.line}:${error.column} ${error.code} ${error.message}`),
      judged.compile?.stderr.trim() || judged.compile?.stdout.trim() || "",
    ].filter(Boolean);
  }
  const { passed, failed, total } = judged.summary;
  return [...judged.verdicts.flatMap(verdictLines), `${passed} passed, ${failed} failed of ${total}`];
}

function verdictLines(verdict: Verdict): string[] {
  const time = `${Math.round(verdict.metrics.wallMs)} ms`;
  if (verdict.status === "Accepted") return [`✓ ${verdict.name} (${time})`];
  const why = verdict.status === "WrongAnswer" ? verdict.diff! : (verdict.error ?? verdict.status);
  const at = firstError(verdict.diagnostics);
  const where = at ? [`  at ${at.path} line ${at.line}: ${at.code} ${at.message}`] : [];
  return [
    `✗ ${verdict.name}: ${verdict.status} (${time})`,
    ...why
      .split("\n")
      .slice(0, 12)
      .map((line) => `  ${line}`),
    ...where,
  ];
}
