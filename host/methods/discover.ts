import { RpcDiscover } from "../../contract/protocol/methods";
import { JsonSchema, MethodReference, protocolMethods } from "../../contract/protocol/reference";
import { VERSION } from "../version";
import type { Dispatcher } from "./dispatcher";

/** rpc.discover: the protocol as an OpenRPC document, made from the same schemas as docs/PROTOCOL.md's reference. */
export function registerDiscover(dispatcher: Dispatcher): Dispatcher {
  return dispatcher.on(RpcDiscover, async () => openRpcDocument());
}

export function openRpcDocument() {
  const entries = protocolMethods().sort((a, b) => a.method.localeCompare(b.method));
  return {
    openrpc: "1.3.2",
    info: { title: "CodeBeaker", version: VERSION, description: "Run code in sandboxes: the JSON-RPC API of the CodeBeaker host." },
    methods: entries.filter((entry) => entry.doc.from === "client").map(openRpcMethod),
    "x-notifications": entries.filter((entry) => entry.doc.from === "host").map(openRpcMethod),
  };
}

/** A method by name, its params one by one where they are an object's fields; a notification has no result. */
function openRpcMethod(entry: MethodReference) {
  const properties = entry.params.type === "object" ? (entry.params.properties as Record<string, JsonSchema> | undefined) : undefined;
  const required = new Set((entry.params.required ?? []) as string[]);
  const params = properties
    ? Object.entries(properties).map(([name, schema]) => ({ name, required: required.has(name), schema }))
    : [{ name: "params", required: true, schema: entry.params }];
  return {
    name: entry.method,
    summary: entry.doc.summary,
    paramStructure: "by-name",
    params,
    ...(entry.result ? { result: { name: "result", schema: entry.result } } : {}),
  };
}
