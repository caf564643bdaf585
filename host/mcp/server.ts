import type { Readable, Writable } from "node:stream";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Host } from "../host";
import type { Logger } from "../log";
import { VERSION } from "../version";
import { registerFileTools } from "./file-tools";
import { registerHistoryTools } from "./history-tools";
import { HostCalls } from "./host-calls";
import { registerJudgeTool } from "./judge-tool";
import { LanguageSessions } from "./language-sessions";
import { registerRunTools } from "./run-tools";

export interface McpOptions {
  /** The history workspace the server's runs are recorded in. */
  workspace: string;
  log: Logger;
  /** Keep toolchains warm in the server's sessions (docs/WARM.md); true when not said. */
  warm?: boolean;
  input?: Readable;
  output?: Writable;
}

/** Output an agent reads back costs it context: a run keeps this much of each stream (the host's default is 1 MiB). */
export const MCP_OUTPUT_LIMIT_BYTES = 128 << 10;

const INSTRUCTIONS = `CodeBeaker runs code in sandboxes: containers with no network and limited memory, CPU and time.
run_code runs a program and reports its output, status, and where it failed. Each language has one sandbox,
kept between calls, whose /workspace the file tools and execute_shell of that language share. Every run is
recorded as a version of its file: history_list, history_compare and history_rollback look back at them.
run_tests checks a program against test cases (stdin and expected output), compiled once, a verdict per case.`;

/**
 * `codebeaker mcp`: the host's methods as MCP tools over stdio. The tools call the host's JSON-RPC
 * dispatcher, so they validate and fail as every other client sees; stdout carries only the protocol.
 */
export async function serveMcp(host: Host, options: McpOptions): Promise<McpServer> {
  const server = new McpServer({ name: "codebeaker", version: VERSION }, { instructions: INSTRUCTIONS });
  const calls = new HostCalls(host.dispatcher);
  const sessions = new LanguageSessions(calls, host.registry, {
    workspace: options.workspace,
    outputLimitBytes: MCP_OUTPUT_LIMIT_BYTES,
    warm: options.warm ?? true,
  });
  const context = { host: calls, sessions, workspace: options.workspace, log: options.log };
  registerRunTools(server, context);
  registerJudgeTool(server, context);
  registerFileTools(server, context);
  registerHistoryTools(server, context);
  await server.connect(new StdioServerTransport(options.input, options.output));
  options.log.info(`MCP server ready; runs are recorded in workspace ${options.workspace}`);
  return server;
}
