import type { z } from "zod";
import type { Logger } from "../log";
import { ErrorCodes, invalidParams, RpcError } from "../../contract/protocol/errors";
import type { NotificationDefinition, RequestDefinition } from "../../contract/protocol/methods";
import type { Notifier } from "../runs/notifier";
import { describeIssues } from "./params-errors";

/** What a handler can do besides answering: notify the client that called it. */
export type CallContext = Notifier;

type Handler = (params: never, context: CallContext) => Promise<unknown>;

/**
 * Routes a JSON-RPC call to its handler, after its params passed the method's schema. Every transport calls
 * this, so validation and error codes are the same on stdio and WebSocket.
 */
export class Dispatcher {
  private readonly routes = new Map<string, { params: z.ZodType; handler: Handler }>();

  constructor(
    private readonly log: Logger,
    private readonly parent?: Dispatcher,
  ) {}

  /** A dispatcher with methods of its own over this one's: what one connection adds to the host's methods. */
  extend(): Dispatcher {
    return new Dispatcher(this.log, this);
  }

  on<P extends z.ZodType, R extends z.ZodType>(
    definition: RequestDefinition<P, R>,
    handler: (params: z.output<P>, context: CallContext) => Promise<z.infer<R>>,
  ): this {
    this.routes.set(definition.method, { params: definition.params, handler: handler as Handler });
    return this;
  }

  /** A notification from the client: validated like a request; nothing is answered. */
  onNotification<P extends z.ZodType>(
    definition: NotificationDefinition<P>,
    handler: (params: z.output<P>, context: CallContext) => void,
  ): this {
    this.routes.set(definition.method, { params: definition.params, handler: async (params, context) => handler(params, context) });
    return this;
  }

  methods(): string[] {
    return [...new Set([...(this.parent?.methods() ?? []), ...this.routes.keys()])];
  }

  has(method: string): boolean {
    return this.route(method) !== undefined;
  }

  private route(method: string): { params: z.ZodType; handler: Handler } | undefined {
    return this.routes.get(method) ?? this.parent?.route(method);
  }

  /** A typed call of a protocol request from inside the host's process (the library, the MCP tools). */
  request<P extends z.ZodType, R extends z.ZodType>(
    definition: RequestDefinition<P, R>,
    params: z.input<P>,
    context: CallContext,
  ): Promise<z.infer<R>> {
    return this.call(definition.method, params, context) as Promise<z.infer<R>>;
  }

  /** Calls a method; failures are thrown as RpcError with the code the guide lists. */
  async call(method: string, params: unknown, context: CallContext): Promise<unknown> {
    const route = this.route(method);
    if (!route) {
      const methods = this.methods().join(", ");
      throw new RpcError(
        ErrorCodes.MethodNotFound,
        `Method not found: ${method} (methods: ${methods})`,
        `method: no method named ${JSON.stringify(method)}; the methods are ${methods}`,
      );
    }
    if (Array.isArray(params)) throw invalidParams("params must be an object with named fields, not an array");
    const parsed = route.params.safeParse(params);
    if (!parsed.success) {
      const problems = describeIssues(parsed.error.issues);
      throw invalidParams(problems.join("; "), problems.join("\n"));
    }
    try {
      return await route.handler(parsed.data as never, context);
    } catch (error) {
      if (error instanceof RpcError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      this.log.error(`${method} failed: ${error instanceof Error && error.stack ? error.stack : message}`);
      throw new RpcError(ErrorCodes.InternalError, `Internal error: ${message}`);
    }
  }
}
