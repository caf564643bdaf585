import type { Readable, Writable } from "node:stream";
import {
  createMessageConnection,
  MessageConnection,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-jsonrpc/node";
import { RpcError } from "../protocol/errors";
import type { Dispatcher } from "./dispatcher";

/** JSON-RPC over stdin/stdout with vscode-jsonrpc's framing (Content-Length headers): what the extension uses. */
export function serveStdio(dispatcher: Dispatcher, input: Readable, output: Writable): MessageConnection {
  const connection = createMessageConnection(new StreamMessageReader(input), new StreamMessageWriter(output));
  const context = { notify: (method: string, params: unknown) => void connection.sendNotification(method, params) };
  connection.onRequest(async (method, params) => {
    try {
      return await dispatcher.call(method, params, context);
    } catch (error) {
      if (error instanceof RpcError) return new ResponseError(error.code, error.message, error.data);
      throw error;
    }
  });
  connection.listen();
  return connection;
}
