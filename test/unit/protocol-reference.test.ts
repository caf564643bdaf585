import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../host/log";
import { protocolMethods, REFERENCE_END, REFERENCE_START, referenceMarkdown } from "../../contract/protocol/reference";
import { Dispatcher } from "../../host/methods/dispatcher";
import { openRpcDocument, registerDiscover } from "../../host/methods/discover";
import { registerSessionMethods } from "../../host/methods/session-methods";
import { registerHistoryMethods } from "../../host/methods/history-methods";

describe("the protocol's reference, generated from its schemas", () => {
  it("is what docs/PROTOCOL.md holds (after a schema changes: npm run docs:protocol)", () => {
    const text = readFileSync(join(__dirname, "../../docs/PROTOCOL.md"), "utf8");
    const start = text.indexOf(REFERENCE_START);
    const end = text.indexOf(REFERENCE_END);
    expect(start, "docs/PROTOCOL.md has no generated reference").toBeGreaterThan(0);
    expect(text.slice(start, end + REFERENCE_END.length + 1)).toBe(referenceMarkdown());
  });

  it("names every method the host answers", () => {
    const dispatcher = registerDiscover(
      registerHistoryMethods(
        registerSessionMethods(new Dispatcher(silentLogger), {} as never, {} as never, {} as never),
        {} as never,
        {} as never,
      ),
    );
    const documented = new Set(protocolMethods().map((entry) => entry.method));
    expect(dispatcher.methods().filter((method) => !documented.has(method))).toEqual([]);
    for (const method of [
      "session.create",
      "session.execute",
      "session.list",
      "session.close",
      "notifications.subscribe",
      "rpc.discover",
      "judge.case",
    ]) {
      expect(documented).toContain(method);
    }
  });

  it("writes params and results as the host reads and answers them", () => {
    const reference = referenceMarkdown();
    expect(reference).toContain("### `session.create`");
    expect(reference).toMatch(/params: \{\n {2}language: string,\n(.*\n)* {2}idleTimeoutMinutes\?: number = 30,/);
    expect(reference).toContain('compare?: "trimmed" | "exact" | "tokens" | number = "trimmed"');
  });
});

describe("rpc.discover", () => {
  it("answers an OpenRPC document of the same methods, the host's notifications beside them", () => {
    const document = openRpcDocument();
    expect(document.openrpc).toBe("1.3.2");
    const names = document.methods.map((method) => method.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(["session.create", "session.judge", "history.list", "run.input", "rpc.discover"]));
    expect(document["x-notifications"].map((method) => method.name)).toEqual([
      "history.changed",
      "image.progress",
      "judge.case",
      "run.output",
      "run.stage",
    ]);
    const create = document.methods.find((method) => method.name === "session.create")!;
    expect(create.params.find((param) => param.name === "language")).toMatchObject({ required: true, schema: { type: "string" } });
    expect(create.params.find((param) => param.name === "memoryLimitMB")).toMatchObject({ required: false });
    expect(create.result?.schema).toMatchObject({ type: "object", required: expect.arrayContaining(["sessionId", "containerId"]) });
    expect(JSON.parse(JSON.stringify(document))).toEqual(document); // plain JSON, as it travels
  });
});
