import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { ListDirectoryResult, ReadFileResult, WriteFileResult } from "../../contract/protocol/command-results";
import { languageArgument } from "./arguments";
import { commandFailure, textResult } from "./results";
import { replacedNote } from "./run-tools";
import { executeIn, guarded, ToolContext } from "./tool-context";

const SHARED = "in the sandbox of `language` (default python): the same /workspace run_code and execute_shell of that language see.";
const WorkspacePathArgument = z.string().min(1).describe("A path in /workspace: relative to it (data/input.txt) or absolute under it.");

/** write_file, read_file, list_directory: the workspace of a language's sandbox, as an agent sees it. */
export function registerFileTools(server: McpServer, context: ToolContext): void {
  const language = languageArgument(context.sessions.languages(), "python");

  server.registerTool(
    "write_file",
    {
      title: "Write a file in a sandbox",
      description: `Writes a text file (replacing it, creating its folders) ${SHARED}`,
      inputSchema: { path: WorkspacePathArgument, content: z.string().describe("The file's text."), language },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    guarded(context.log, "write_file", async ({ path, content, language }, extra) => {
      const { answer, session } = await executeIn(context, language, { type: "write_file", path, content }, extra);
      if (!answer.success) return commandFailure(answer);
      const written = answer.result as WriteFileResult;
      return textResult([`Wrote ${written.bytes} bytes to ${written.path}.`, ...replacedNote(session)].join("\n"), written);
    }),
  );

  server.registerTool(
    "read_file",
    {
      title: "Read a file in a sandbox",
      description: `Reads a UTF-8 text file ${SHARED}`,
      inputSchema: { path: WorkspacePathArgument, language },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guarded(context.log, "read_file", async ({ path, language }, extra) => {
      const { answer } = await executeIn(context, language, { type: "read_file", path }, extra);
      if (!answer.success) return commandFailure(answer);
      const read = answer.result as ReadFileResult;
      return textResult(read.content, read);
    }),
  );

  server.registerTool(
    "list_directory",
    {
      title: "List a folder in a sandbox",
      description: `Lists a folder (default /workspace) ${SHARED}`,
      inputSchema: { path: WorkspacePathArgument.optional(), language },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guarded(context.log, "list_directory", async ({ path, language }, extra) => {
      const { answer } = await executeIn(context, language, { type: "list_directory", path }, extra);
      if (!answer.success) return commandFailure(answer);
      const listing = answer.result as ListDirectoryResult;
      return textResult(listingText(listing), listing);
    }),
  );
}

/** One entry a line, folders marked with a trailing slash, files with their size. */
export function listingText(listing: ListDirectoryResult): string {
  if (listing.count === 0) return `${listing.path} is empty.`;
  const lines = listing.entries.map((entry) => {
    if (entry.type === "directory") return `${entry.name}/`;
    if (entry.type === "symlink") return `${entry.name} (symbolic link)`;
    return `${entry.name}  ${entry.size} bytes`;
  });
  return [`${listing.path}:`, ...lines].join("\n");
}
