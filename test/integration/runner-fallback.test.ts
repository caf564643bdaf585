import type Docker from "dockerode";
import { PassThrough, type Duplex } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../../host/isolation/backend";
import { containerOptions, keeperOptions } from "../../host/isolation/docker/container-spec";
import { DockerBackend } from "../../host/isolation/docker/docker-backend";
import { RUNNER_PATH } from "../../host/isolation/docker/images";
import { ownerLabel } from "../../host/isolation/docker/owner";
import { RunnerClient } from "../../host/isolation/runner-client";
import { resolveLimits } from "../../contract/limits";
import { silentLogger } from "../../host/log";
import { RuntimeRegistry } from "../../contract/runtimes/registry";
import { Session } from "../../host/sessions/session";
import { syncWorkspace } from "../../host/mirror/workspace-sync";
import { containersOf, docker, eventually, execute } from "./helpers";

/**
 * The exec fallback: when the runner cannot be the container's PID 1, a keeper is, and the runner is started
 * with `docker exec`, speaking the same frames. Everything a session does must work the same.
 */
const python = RuntimeRegistry.builtIn().find("python")!;
const limits = resolveLimits({ runtime: python.manifest.limits });
const backends: DockerBackend[] = [];
let sessions = 0;

afterAll(async () => {
  await Promise.all(backends.map((backend) => backend.dispose()));
});

async function sessionOn(engine: Docker, runnerStart: "exec" | "init, then exec"): Promise<Session> {
  const backend = new DockerBackend(engine, silentLogger, { kind: "docker", runnerStart });
  backends.push(backend);
  const id = `fallback-${process.pid}-${++sessions}`;
  const sandbox = await backend.createSandbox({ sessionId: id, runtime: python, limits, networkEnabled: false });
  const config = {
    idleTimeoutMinutes: 30,
    maxLifetimeMinutes: 120,
    memoryLimitMB: limits.memoryMb,
    cpuShares: limits.cpuShares,
    dockerImage: null,
    cpuLimit: limits.cpus,
    pidsLimit: limits.pids,
    networkEnabled: false,
    timeoutMs: limits.timeoutMs,
    compileTimeoutMs: limits.compileTimeoutMs,
    outputLimitBytes: limits.outputBytes,
    permissions: null,
    commands: null,
    packages: [],
    warm: false,
  };
  return new Session(id, python, config, limits, sandbox, "docker");
}

/** An engine that refuses to attach to a container, as some engines and proxies do before it starts. */
function refusingAttach(engine: Docker): Docker {
  return new Proxy(engine, {
    get(target, property) {
      if (property === "createContainer") {
        return async (options: Docker.ContainerCreateOptions) => {
          const container = await target.createContainer(options);
          container.attach = (async () => {
            throw new Error("this engine cannot attach to a container");
          }) as Docker.Container["attach"];
          return container;
        };
      }
      const value = Reflect.get(target, property) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

const keeperCommand = async (sandbox: Sandbox) => (await docker.getContainer(sandbox.id).inspect()).Config.Cmd;

describe("the runner started with docker exec beside a keeper", () => {
  it("runs code, holds the time limit over a whole process tree, mirrors files, and leaves nothing when closed", async () => {
    const session = await sessionOn(docker, "exec");
    expect(await keeperCommand(session.sandbox)).toEqual(["--keeper"]);
    expect((await execute(session, { type: "execute_code", code: "print(6 * 7)" })).result).toBe("42");

    const answer = await execute(session, {
      type: "execute_shell",
      commandName: "sh",
      args: ["-c", "(sleep 301 &) ; setsid sleep 302 & nohup sleep 303 >/dev/null 2>&1 & sleep 305"],
      timeoutMs: 700,
    });
    expect(answer.status).toBe("TimeLimitExceeded");
    // Left: the keeper (PID 1), the runner, and the program that looks.
    const seen = await execute(session, {
      type: "execute_code",
      code: "import os\nme = os.getpid()\nprint(sorted(open(f'/proc/{p}/cmdline').read().split(chr(0))[0] for p in os.listdir('/proc') if p.isdigit() and int(p) != me))",
    });
    expect(seen.result).toBe(`['${RUNNER_PATH}', '${RUNNER_PATH}']`);

    const synced = await syncWorkspace(session, {
      write: [{ path: "/workspace/app/m.py", content: Buffer.from("print('synced')") }],
      delete: [],
    });
    expect(synced).toMatchObject({ written: 1, failed: [] });
    expect((await execute(session, { type: "run_file", path: "app/m.py" })).result).toBe("synced");

    await session.sandbox.close();
    expect(await containersOf(session.id)).toEqual([]);
  });

  it("is where a sandbox starts when the engine will not attach to its PID 1", async () => {
    const session = await sessionOn(refusingAttach(docker), "init, then exec");
    try {
      expect(await keeperCommand(session.sandbox)).toEqual(["--keeper"]);
      expect((await containersOf(session.id)).map((info) => info.Id)).toEqual([session.sandbox.id]); // the first is gone
      expect((await execute(session, { type: "execute_code", code: "print('through exec')" })).result).toBe("through exec");
    } finally {
      await session.sandbox.close();
    }
  });

  it("stops the keeper, and so removes the container, when the host's stream ends", async () => {
    const id = `fallback-${process.pid}-orphaned`;
    const image = await new DockerBackend(docker, silentLogger).images.runtimeImage(python);
    const options = containerOptions({ sessionId: id, runtime: python, limits, networkEnabled: false }, image, ownerLabel());
    const container = await docker.createContainer(keeperOptions(options));
    await container.start();
    const exec = await container.exec({
      Cmd: [RUNNER_PATH, "--root", "/workspace", "--exec"],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = (await exec.start({ hijack: true, stdin: true })) as Duplex;
    const fromRunner = new PassThrough();
    docker.modem.demuxStream(stream, fromRunner, new PassThrough().resume());
    await new RunnerClient(stream, fromRunner, id).ready();
    stream.end(); // as when the host dies: the runner reads the end of its input
    await eventually(async () => (await containersOf(id)).length === 0, "the container is gone");
  });
});
