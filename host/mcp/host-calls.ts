import type { z } from "zod";
import type { RequestDefinition } from "../../contract/protocol/methods";
import type { Dispatcher } from "../methods/dispatcher";

/** A host notification sent while a call ran (history.changed, image.progress, run.output). */
export interface HostNotification {
  method: string;
  params: unknown;
}

/**
 * The MCP tools reach the host only through its JSON-RPC dispatcher, as any client does: the same
 * validation, the same error messages, the same history recording.
 */
export class HostCalls {
  constructor(private readonly dispatcher: Dispatcher) {}

  call<P extends z.ZodType, R extends z.ZodType>(
    definition: RequestDefinition<P, R>,
    params: z.input<P>,
    onNotification: (notification: HostNotification) => void = () => undefined,
  ): Promise<z.infer<R>> {
    const context = { notify: (method: string, params: unknown) => onNotification({ method, params }) };
    return this.dispatcher.request(definition, params, context);
  }
}
