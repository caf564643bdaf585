import type { Readable, Writable } from "node:stream";
import {
  createMessageConnection,
  MessageConnection,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-jsonrpc/node";
import { RpcError } from "../protocol/errors";
import type { Logger } from "../log";
import { VERSION } from "../version";
import type { Dispatcher } from "./dispatcher";

/** JSON-RPC over stdin/stdout with vscode-jsonrpc's framing (Content-Length headers): what the extension uses. */
export function serveStdio(dispatcher: Dispatcher, log: Logger, input: Readable, output: Writable): MessageConnection {
  const connection = createMessageConnection(new StreamMessageReader(input), new StreamMessageWriter(output));
  const context = { notify: (method: string, params: unknown) => void connection.sendNotification(method, params) };
  // vscode-languageclient opens with the Language Server Protocol's handshake; CodeBeaker offers no language
  // features, only its own methods, so it answers with no capabilities.
  connection.onRequest("initialize", () => ({ capabilities: {}, serverInfo: { name: "codebeaker", version: VERSION } }));
  connection.onRequest("shutdown", () => null);
  connection.onNotification("exit", () => connection.dispose());
  connection.onRequest(async (method, params) => {
    try {
      return await dispatcher.call(method, params, context);
    } catch (error) {
      if (error instanceof RpcError) return new ResponseError(error.code, error.message, error.data);
      throw error;
    }
  });
  connection.onNotification((method, params) => {
    if (method.startsWith("$/") || method === "initialized") return; // the protocol's own: nothing to do
    dispatcher.call(method, params, context).catch((error) => log.warn(`notification ${method}: ${(error as Error).message}`));
  });
  connection.listen();
  return connection;
}
