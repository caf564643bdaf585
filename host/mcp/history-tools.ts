import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { HistoryRollbackResult, HistoryRun } from "../../contract/protocol/history";
import { HistoryCompare, HistoryGet, HistoryList, HistoryRestoreLastSuccess, HistoryRollback } from "../../contract/protocol/methods";
import { RunStatus } from "../../contract/protocol/results";
import { textResult } from "./results";
import { guarded, ToolContext } from "./tool-context";

const HistoryPath = z.string().min(1).describe("The file, relative to /workspace, as history_list shows it (main.py).");
const Version = z.number().int().min(1);

/**
 * The run history of this server's workspace: every run_code run is a version of its file (v1, v2, …) with
 * its text, status and output kept, so an agent can look back, compare, and go back to a version that worked.
 */
export function registerHistoryTools(server: McpServer, context: ToolContext): void {
  const { host, workspace, log } = context;
  const readOnly = { readOnlyHint: true, openWorldHint: false };

  server.registerTool(
    "history_list",
    {
      title: "List past runs",
      description: "Lists the runs recorded by run_code, newest first: each run's file, version, status, error and place.",
      inputSchema: {
        path: HistoryPath.optional(),
        status: RunStatus.optional().describe("Only runs that ended so (Success, RuntimeError, CompilationError, …)."),
        limit: z.number().int().min(1).max(1000).default(20).describe("At most this many runs (default 20)."),
      },
      annotations: readOnly,
    },
    guarded(log, "history_list", async (args) => {
      const listed = await host.call(HistoryList, { workspace, ...args });
      const text = listed.count ? listed.runs.map(runLine).join("\n") : "No runs recorded yet.";
      return textResult(text, listed);
    }),
  );

  server.registerTool(
    "history_get",
    {
      title: "Show a past run",
      description: "One run with the text of the files it ran: by `id` (from history_list), or by `path` and `version`.",
      inputSchema: { id: z.string().min(1).optional(), path: HistoryPath.optional(), version: Version.optional() },
      annotations: readOnly,
    },
    guarded(log, "history_get", async ({ id, path, version }) => {
      if (id === undefined && (path === undefined || version === undefined)) {
        return { ...textResult("Give `id`, or both `path` and `version`."), isError: true };
      }
      const params = id !== undefined ? { workspace, id } : { workspace, path: path!, version: version! };
      const found = await host.call(HistoryGet, params);
      const files = found.contents.map((file) => `--- ${file.path}${file.encoding === "base64" ? " (base64)" : ""}\n${file.content}`);
      return textResult([runLine(found.run), ...files].join("\n"), found);
    }),
  );

  server.registerTool(
    "history_rollback",
    {
      title: "Go back to a version",
      description:
        "Writes a file's text at a version back into /workspace of the sandbox it ran in; run it with run_code and `file` (no `code`).",
      inputSchema: { path: HistoryPath, version: Version },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    guarded(log, "history_rollback", async ({ path, version }) => {
      const { run } = await host.call(HistoryGet, { workspace, path, version });
      return context.sessions.within(run.language, undefined, undefined, async ({ sessionId, language }) =>
        restored(await host.call(HistoryRollback, { workspace, path, version, sessionId }), language),
      );
    }),
  );

  server.registerTool(
    "history_restore_last_success",
    {
      title: "Go back to the last version that worked",
      description: "Writes a file's text at its latest successful run back into /workspace of the sandbox it ran in.",
      inputSchema: { path: HistoryPath },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    guarded(log, "history_restore_last_success", async ({ path }) => {
      const [last] = (await host.call(HistoryList, { workspace, path, status: "Success", limit: 1 })).runs;
      // Without a successful run there is nothing to write: the host's answer says so.
      if (!last) return restored(await host.call(HistoryRestoreLastSuccess, { workspace, path }), undefined);
      return context.sessions.within(last.language, undefined, undefined, async ({ sessionId, language }) =>
        restored(await host.call(HistoryRestoreLastSuccess, { workspace, path, sessionId }), language),
      );
    }),
  );

  server.registerTool(
    "history_compare",
    {
      title: "Compare two versions",
      description: "A unified diff between two versions of a file (`to` defaults to the latest).",
      inputSchema: { path: HistoryPath, from: Version, to: Version.optional() },
      annotations: readOnly,
    },
    guarded(log, "history_compare", async (args) => {
      const compared = await host.call(HistoryCompare, { workspace, ...args });
      const heading = `${compared.path} v${compared.from.version} → v${compared.to.version}: +${compared.added} −${compared.removed}`;
      return textResult(`${heading}\n${compared.diff || "(no difference)"}`, compared);
    }),
  );
}

/** A run on one line: `v3 main.py RuntimeError exit 1 · ZeroDivisionError at main.py:3:1 · 2026-… · id …`. */
export function runLine(run: HistoryRun): string {
  const parts = [`v${run.version} ${run.path} ${run.status}`];
  if (run.exitCode !== null) parts[0] += ` exit ${run.exitCode}`;
  if (run.location) parts.push(`${run.errorType ?? "error"} at ${run.location.path}:${run.location.line}:${run.location.column}`);
  else if (run.error) parts.push(run.error);
  parts.push(run.at, `${run.language}`, `id ${run.id}`);
  return parts.join(" · ");
}

function restored(result: HistoryRollbackResult, language: string | undefined) {
  const where = language ? `into /workspace of the ${language} sandbox` : "nowhere (no sandbox)";
  const how = language ? ` Run it with run_code {"language": "${language}", "file": "${result.path}"}.` : "";
  return textResult(`Wrote ${result.path} v${result.version} ${where}.${how}\n--- ${result.path}\n${result.content}`, result);
}
