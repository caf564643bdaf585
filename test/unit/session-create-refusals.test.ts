import { afterEach, describe, expect, it } from "vitest";
import { CustomImageError, IsolationBackend, IsolationUnavailableError, SandboxSpec } from "../../host/isolation/backend";
import { silentLogger } from "../../host/log";
import { ErrorCodes, RpcError } from "../../contract/protocol/errors";
import { SessionCreateParams } from "../../contract/protocol/session";
import { RuntimeRegistry } from "../../contract/runtimes/registry";
import { DEFAULT_SETTINGS, SessionManager } from "../../host/sessions/manager";

let manager: SessionManager | undefined;
afterEach(async () => {
  await manager?.dispose("test done");
});

/** A manager whose one backend fails every sandbox with `failure`, or whose chooser does when `choosing`. */
function failingWith(failure: (spec: SandboxSpec) => Error, { choosing = false } = {}) {
  const backend = {
    kind: "docker" as const,
    available: async () => ({ ok: true as const }),
    removeLeftovers: async () => 0,
    dispose: async () => undefined,
    createSandbox: async (spec: SandboxSpec) => {
      throw failure(spec);
    },
  } as unknown as IsolationBackend;
  const chooser = {
    choose: async () => {
      if (choosing) throw failure({} as SandboxSpec);
      return backend;
    },
  };
  manager = new SessionManager(chooser, RuntimeRegistry.builtIn(), { ...DEFAULT_SETTINGS, warmPoolSize: 0 }, silentLogger);
  return (params: Record<string, unknown>) => manager!.create(SessionCreateParams.parse({ language: "javascript", ...params }));
}

async function refusalOf(creating: Promise<unknown>): Promise<RpcError> {
  const error = await creating.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RpcError);
  return error as RpcError;
}

describe("a session.create refused for what it asked", () => {
  it("names dockerImage and its value when the user's image cannot be pulled, not an internal error", async () => {
    const create = failingWith((spec) => new CustomImageError(spec.customImage ?? "", "pull access denied for nosuch"));
    const error = await refusalOf(create({ dockerImage: "nosuch:1" }));
    expect(error.code).toBe(ErrorCodes.InvalidParams);
    expect(error.message).toBe('the image "nosuch:1" could not be used: pull access denied for nosuch');
    expect(error.data).toEqual({ field: "dockerImage", value: "nosuch:1", reason: "pull access denied for nosuch" });
  });

  it("names isolation when the backend asked for is not on this machine, or a toolchain is missing", async () => {
    const create = failingWith(() => new IsolationUnavailableError("docker", "docker isolation is not available: no engine answers"), {
      choosing: true,
    });
    const error = await refusalOf(create({ isolation: "docker" }));
    expect(error.code).toBe(ErrorCodes.IsolationUnavailable);
    expect(error.message).toBe("docker isolation is not available: no engine answers");
    expect(error.data).toEqual({ field: "isolation", value: "docker", reason: "docker isolation is not available: no engine answers" });

    const missing = failingWith(() => new IsolationUnavailableError("process", "node is not installed on this machine, …"));
    expect((await refusalOf(missing({ isolation: "process" }))).data).toMatchObject({ field: "isolation", value: "process" });
  });

  it("leaves the host's own failures as they were", async () => {
    const create = failingWith(() => new Error("the engine closed the connection"));
    await expect(create({})).rejects.toThrow(/^the engine closed the connection$/);
  });
});
