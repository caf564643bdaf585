import type { Readable, Writable } from "node:stream";
import type { Logger } from "../log";
import { Exit, Initialize, Shutdown } from "../../contract/protocol/methods";
import { VERSION } from "../version";
import { RpcConnection } from "./connection";
import { ContentLengthReader, frame } from "./content-length-framing";
import type { Dispatcher } from "../methods/dispatcher";
import { parseErrorReply } from "./json-rpc";

/**
 * Above this, a Content-Length is refused (and its bytes skipped): an editor's first workspace.sync of a large
 * folder can be big, but a message past a few hundred MB cannot even become one JavaScript string.
 */
export const MAX_STDIO_MESSAGE_BYTES = 256 << 20;

export interface StdioConnection {
  /** Resolves when the client is gone: its stdin ended, it sent `exit`, or stdout broke. */
  closed: Promise<void>;
}

/**
 * JSON-RPC 2.0 over stdin/stdout with Content-Length framing: what the extension's vscode-languageclient
 * speaks, answered by the same engine as the WebSocket transport (parse errors, invalid requests, batches).
 */
export function serveStdio(dispatcher: Dispatcher, log: Logger, input: Readable, output: Writable): StdioConnection {
  let open = true;
  let close!: () => void;
  const closed = new Promise<void>((resolve) => {
    close = () => {
      open = false;
      resolve();
    };
  });
  const send = (text: string) => {
    if (open) output.write(frame(text));
  };
  const connection = new RpcConnection(dispatcher, send, log);
  // vscode-languageclient opens with the Language Server Protocol's handshake; CodeBeaker offers no language
  // features, only its own methods, so it answers with no capabilities.
  connection.methods
    .on(Initialize, async (params) => {
      const notifications = params.initializationOptions?.notifications;
      if (notifications) connection.subscribe(notifications.methods);
      return { capabilities: {}, serverInfo: { name: "codebeaker", version: VERSION } };
    })
    .on(Shutdown, async () => null)
    .onNotification(Exit, () => close());

  const reader = new ContentLengthReader(MAX_STDIO_MESSAGE_BYTES, (message) => {
    if ("text" in message) void connection.receive(message.text);
    else {
      log.warn(`stdio: a message could not be read: ${message.malformed}`);
      connection.reply(parseErrorReply(`the message's frame could not be read (${message.malformed})`, message.malformed));
    }
  });
  input.on("data", (chunk: Buffer) => reader.push(chunk));
  input.once("end", () => close());
  input.once("close", () => close());
  input.on("error", (error) => {
    log.warn(`stdio: reading stdin failed: ${error.message}`);
    close();
  });
  // The client went away while an answer was on its way (EPIPE): that ends the connection, not the host.
  output.on("error", (error) => {
    log.warn(`stdio: writing stdout failed: ${error.message}`);
    close();
  });
  return { closed };
}
