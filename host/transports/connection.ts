import type { Logger } from "../log";
import { NotificationsSubscribe, SubscribableNotification } from "../../contract/protocol/methods";
import type { CallContext, Dispatcher } from "../methods/dispatcher";
import { answerJsonRpcText } from "./json-rpc";

const subscribable = new Set<string>(SubscribableNotification.options);

/**
 * One client's JSON-RPC conversation, whatever carries it (a WebSocket, stdin/stdout): it answers the client's
 * messages through the host's methods and this connection's own, and sends the client only the notifications
 * it asked for (notifications.subscribe). A client that never asked receives only answers to its requests, so
 * one that sends a request and reads one message reads its answer, even while an image builds.
 * run.output and run.stage need no subscription: they exist only for a run the client named with a runId.
 */
export class RpcConnection {
  /** The host's methods with this connection's own: a transport may add more (the stdio handshake). */
  readonly methods: Dispatcher;
  readonly context: CallContext = { notify: (method, params) => this.notify(method, params) };
  private subscribed = new Set<string>();

  constructor(
    host: Dispatcher,
    private readonly send: (text: string) => void,
    private readonly log: Logger,
  ) {
    this.methods = host.extend().on(NotificationsSubscribe, async (params) => this.subscribe(params.methods));
  }

  /** From now on, the client hears these notifications (all of them when none are named). */
  subscribe(methods: readonly SubscribableNotification[] = SubscribableNotification.options) {
    this.subscribed = new Set(methods);
    return { methods: [...this.subscribed] as SubscribableNotification[] };
  }

  /** Answers one message (a request, a notification or a batch) and sends the answer, when one is owed. */
  async receive(text: string): Promise<void> {
    try {
      const reply = await answerJsonRpcText(text, this.methods, this.context);
      if (reply !== undefined) this.send(reply);
    } catch (error) {
      this.log.error(`answering a JSON-RPC message: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }

  /** Sends a reply that answers no request of the client's: a message that could not be read. */
  reply(text: string): void {
    this.send(text);
  }

  private notify(method: string, params: unknown): void {
    if (subscribable.has(method) && !this.subscribed.has(method)) return;
    this.send(JSON.stringify({ jsonrpc: "2.0", method, params }));
  }
}
