import Docker from "dockerode";
import { describe, expect, it } from "vitest";
import { DockerBackend } from "../../host/isolation/docker/docker-backend";
import { fromEndpoint } from "../../host/isolation/docker/engine-connection";
import { addressOf, explainUnreachableEngine } from "../../host/isolation/docker/unreachable-engine";
import { resolveLimits } from "../../contract/limits";
import { RuntimeRegistry } from "../../contract/runtimes/registry";

const failure = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe("an engine that does not answer", () => {
  it("is named with what chose it when DOCKER_HOST did, and how to undo that", () => {
    const error = explainUnreachableEngine(failure("ECONNREFUSED"), { endpoint: "tcp://127.0.0.1:2375", source: "DOCKER_HOST" });
    expect(error.message).toBe(
      "no Docker engine answers at tcp://127.0.0.1:2375 (ECONNREFUSED), the endpoint DOCKER_HOST names: " +
        "check that an engine listens there and that this machine can reach it, or unset DOCKER_HOST to use the local engine",
    );
    expect(error.cause).toMatchObject({ code: "ECONNREFUSED" });
  });

  it("points to the context when a Docker context chose it", () => {
    const source = 'context "builder" (DOCKER_CONTEXT)';
    const error = explainUnreachableEngine(failure("ENOTFOUND"), { endpoint: "ssh://me@builder.example:22", source });
    expect(error.message).toMatch(
      /^no Docker engine answers at ssh:\/\/me@builder\.example:22 \(ENOTFOUND\), the endpoint of Docker context "builder" \(DOCKER_CONTEXT\): .*docker context use/,
    );
  });

  it("keeps the local socket's advice: start Docker, or join the docker group", () => {
    const local = { endpoint: "unix:///var/run/docker.sock", source: "the local socket" };
    expect(explainUnreachableEngine(failure("ENOENT"), local).message).toMatch(
      /^no Docker engine answers at unix:\/\/\/var\/run\/docker\.sock \(ENOENT\): start Docker/,
    );
    expect(explainUnreachableEngine(failure("EACCES"), local).message).toMatch(/\(EACCES\): this user may not use it/);
  });

  it("lets an engine's own answer through unchanged", () => {
    const answered = Object.assign(new Error("(HTTP code 404) no such image"), { statusCode: 404 });
    expect(explainUnreachableEngine(answered, { endpoint: "tcp://127.0.0.1:2375", source: "DOCKER_HOST" })).toBe(answered);
  });

  it("is found from dockerode's options when the host was handed an engine", () => {
    expect(addressOf(new Docker(fromEndpoint("tcp://10.0.0.5:2375", undefined).options))).toEqual({
      endpoint: "tcp://10.0.0.5:2375",
      source: "the engine options",
    });
    expect(addressOf(new Docker({ socketPath: "/run/user/1000/docker.sock" }))).toEqual({
      endpoint: "unix:///run/user/1000/docker.sock",
      source: "the local socket",
    });
  });
});

describe("a sandbox asked of an engine that has gone away", () => {
  it("fails with the engine named, without trying docker exec on it too", async () => {
    const calls: string[] = [];
    const refused = () => Promise.reject(failure("ECONNREFUSED"));
    const engine = {
      modem: new Docker({ socketPath: "/nonexistent.sock" }).modem,
      getEvents: () => (calls.push("getEvents"), refused()),
      createContainer: () => (calls.push("createContainer"), refused()),
    } as unknown as Docker;
    const silent = { debug() {}, info() {}, warn() {}, error() {} };
    const backend = new DockerBackend(engine, silent, {
      kind: "docker",
      address: { endpoint: "tcp://127.0.0.1:2375", source: "DOCKER_HOST" },
    });
    backend.images.runtimeImage = async () => "codebeaker/python:test"; // built before the engine went away
    const python = RuntimeRegistry.builtIn().find("python")!;
    const spec = { sessionId: "s1", runtime: python, limits: resolveLimits({ runtime: python.manifest.limits }), networkEnabled: false };
    await expect(backend.createSandbox(spec)).rejects.toThrow(
      /^no Docker engine answers at tcp:\/\/127\.0\.0\.1:2375 \(ECONNREFUSED\), the endpoint DOCKER_HOST names: /,
    );
    expect(calls.filter((call) => call === "createContainer")).toHaveLength(1);
  });
});
