import Docker from "dockerode";
import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMessageConnection, MessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerBackend } from "../../host/isolation/docker/docker-backend";
import { fromEndpoint } from "../../host/isolation/docker/engine-connection";
import { resolveLimits } from "../../contract/limits";
import { silentLogger } from "../../host/log";
import { HistoryList, HistoryRollback, SessionClose, SessionCreate, SessionExecute, WorkspaceSync } from "../../contract/protocol/methods";
import { RuntimeRegistry } from "../../contract/runtimes/registry";
import { containersOwnedBy, docker } from "./helpers";
import { finished, spawnHost } from "./processes";
import { closedPort, startTcpEngineEndpoint, type TcpEngineEndpoint } from "./tcp-engine-endpoint";

/**
 * A remote engine, as users reach one: the host runs as its own process and finds the engine only through
 * DOCKER_HOST=tcp://… or a Docker context, here a TCP endpoint on loopback that forwards to the local engine
 * and counts what it carries. The host shares no directory with the sandbox: files, runs and history go over
 * the engine's API. Every host runs with --isolation docker, so that none can quietly fall back to bubblewrap.
 */

/** The child's environment: no engine settings inherited, a home and docker config of its own, then `engine`. */
function remoteEnv(engine: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    DOCKER_HOST: undefined,
    DOCKER_CONTEXT: undefined,
    DOCKER_TLS_VERIFY: undefined,
    DOCKER_CERT_PATH: undefined,
    XDG_RUNTIME_DIR: undefined,
    HOME: mkdtempSync(join(tmpdir(), "codebeaker-remote-home-")),
    DOCKER_CONFIG: mkdtempSync(join(tmpdir(), "codebeaker-remote-docker-config-")),
    ...engine,
  };
}

/** A docker config directory holding one context, as `docker context create NAME --docker host=HOST` leaves it. */
function contextStore(name: string, host: string, options: { current: boolean }): string {
  const dir = mkdtempSync(join(tmpdir(), "codebeaker-remote-docker-config-"));
  const meta = join(dir, "contexts", "meta", createHash("sha256").update(name).digest("hex"));
  mkdirSync(meta, { recursive: true });
  writeFileSync(
    join(meta, "meta.json"),
    JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }),
  );
  if (options.current) writeFileSync(join(dir, "config.json"), JSON.stringify({ auths: {}, currentContext: name }));
  return dir;
}

/** `codebeaker run FILE --isolation docker` with that environment: its output, exit code, and the file's folder. */
async function runFile(env: NodeJS.ProcessEnv, source: string) {
  const dir = mkdtempSync(join(tmpdir(), "codebeaker-remote-run-"));
  writeFileSync(join(dir, "where.py"), source.replaceAll("HOST_DIR", JSON.stringify(dir)));
  const child = spawnHost(["run", join(dir, "where.py"), "--isolation", "docker"], { env });
  const result = finished(child);
  child.stdin!.end();
  return { ...(await result), pid: child.pid!, dir };
}

/** What crossed the endpoint since `before`. */
const carried = (endpoint: TcpEngineEndpoint, before: TcpEngineEndpoint["traffic"]) => ({
  connections: endpoint.traffic.connections - before.connections,
  toEngine: endpoint.traffic.toEngine - before.toEngine,
  fromEngine: endpoint.traffic.fromEngine - before.fromEngine,
});

describe("DOCKER_HOST=tcp://…: codebeaker serve --stdio on an engine it reaches only over TCP", () => {
  let endpoint: TcpEngineEndpoint;
  let child: ChildProcess;
  let connection: MessageConnection;
  let exited: ReturnType<typeof finished>;
  let sessionId: string;
  let containerId: string;
  const workspace = "remote-project";
  const historyDir = mkdtempSync(join(tmpdir(), "codebeaker-remote-history-"));

  beforeAll(async () => {
    endpoint = await startTcpEngineEndpoint();
    child = spawnHost(["serve", "--stdio", "--isolation", "docker", "--warm-pool", "0", "--history-dir", historyDir], {
      env: remoteEnv({ DOCKER_HOST: endpoint.url }),
    });
    exited = finished(child);
    connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    connection.listen();
  });
  afterAll(async () => {
    connection?.end();
    child?.stdin!.end();
    expect((await exited).code).toBe(0);
    await endpoint?.close();
    expect(await containersOwnedBy(child.pid!)).toEqual([]);
  });

  it("runs code in a sandbox on that engine: output, exit code, metrics", async () => {
    const before = { ...endpoint.traffic };
    const created = await connection.sendRequest(SessionCreate.type, { language: "python", workspace });
    ({ sessionId, containerId } = created);
    expect(created).toMatchObject({ isolation: "docker", state: "Active" });
    const answer = await connection.sendRequest(SessionExecute.type, {
      sessionId,
      command: { type: "execute_code", code: "import sys\nprint(sys.version_info[0] * 14)\n" },
    });
    expect(answer).toMatchObject({ success: true, result: "42", status: "Success", exitCode: 0 });
    expect(answer.metrics!.wallMs).toBeGreaterThan(0);
    expect(answer.metrics!.peakMemoryBytes).toBeGreaterThan(0);
    expect(await containersOwnedBy(child.pid!)).toHaveLength(1);
    // The session's creation and its run went through the endpoint, both ways.
    const traffic = carried(endpoint, before);
    expect(traffic.connections).toBeGreaterThan(0);
    expect(traffic.toEngine).toBeGreaterThan(1000);
    expect(traffic.fromEngine).toBeGreaterThan(1000);
  });

  it("mirrors files with workspace.sync: a module beside the program, a package in a folder, data", async () => {
    const synced = await connection.sendRequest(WorkspaceSync.type, {
      sessionId,
      write: [
        { path: "app.py", content: "from helpers import shout\nfrom pkg.names import first\nprint(shout(first('data/names.txt')))\n" },
        { path: "helpers.py", content: "def shout(text):\n    return text.upper() + '!'\n" },
        { path: "pkg/__init__.py", content: "" },
        { path: "pkg/names.py", content: "def first(path):\n    return open(path).read().split()[0]\n" },
        { path: "data/names.txt", content: "ada grace linus\n" },
      ],
    });
    expect(synced).toMatchObject({ written: 5, failed: [] });
    const run = await connection.sendRequest(SessionExecute.type, { sessionId, command: { type: "run_file", path: "app.py" } });
    expect(run).toMatchObject({ status: "Success", result: "ADA!" });

    // A second version of the program: the history below has two to tell apart.
    await connection.sendRequest(WorkspaceSync.type, {
      sessionId,
      write: [{ path: "app.py", content: "from pkg.names import first\nprint(first('data/names.txt'))\n" }],
    });
    expect(await connection.sendRequest(SessionExecute.type, { sessionId, command: { type: "run_file", path: "app.py" } })).toMatchObject({
      result: "ada",
    });
  });

  it("keeps the history on the host: each run a version, and a rollback gives the version's text", async () => {
    const history = await connection.sendRequest(HistoryList.type, { workspace });
    expect(history.runs.map((run) => [run.path, run.version, run.status])).toEqual([
      ["app.py", 2, "Success"],
      ["app.py", 1, "Success"],
      ["main.py", 1, "Success"],
    ]);
    expect(history.runs[1]).toMatchObject({ stdoutHead: "ADA!\n", sessionId });
    const rolledBack = await connection.sendRequest(HistoryRollback.type, { workspace, path: "app.py", version: 1, sessionId });
    expect(rolledBack).toMatchObject({ version: 1, written: true, encoding: "utf8" });
    expect(rolledBack.content).toMatch(/^from helpers import shout\n/);
    // Written back through the engine into the sandbox, too.
    expect(await connection.sendRequest(SessionExecute.type, { sessionId, command: { type: "run_file", path: "app.py" } })).toMatchObject({
      result: "ADA!",
    });
  });

  it("mounts no host path into the sandbox: its files live in tmpfs of its own", async () => {
    const info = await docker.getContainer(containerId).inspect();
    expect(info.Config.Labels["codebeaker.session"]).toBe(sessionId);
    expect(info.HostConfig.Binds ?? []).toEqual([]);
    expect(info.HostConfig.Mounts ?? []).toEqual([]);
    expect(info.Mounts.filter((mount) => mount.Type === "bind")).toEqual([]);
    expect(Object.keys(info.HostConfig.Tmpfs ?? {}).sort()).toEqual(["/tmp", "/workspace"]);
  });

  it("has no other way to the engine: with the endpoint gone, a new sandbox fails, naming DOCKER_HOST's endpoint", async () => {
    await connection.sendRequest(SessionClose.type, { sessionId });
    expect(await containersOwnedBy(child.pid!)).toEqual([]);
    await endpoint.close(); // the local socket is still there: a host that used it would go on working
    await expect(connection.sendRequest(SessionCreate.type, { language: "python", workspace })).rejects.toMatchObject({
      message: expect.stringContaining(`no Docker engine answers at ${endpoint.url} (ECONNREFUSED), the endpoint DOCKER_HOST names`),
    });
  });
});

describe("a Docker context naming a TCP endpoint: codebeaker run FILE", () => {
  let endpoint: TcpEngineEndpoint;
  beforeAll(async () => {
    endpoint = await startTcpEngineEndpoint();
  });
  afterAll(() => endpoint?.close());

  const program = "import os\nprint('in', os.getcwd(), 'host folder seen:', os.path.exists(HOST_DIR))\n";

  it.each([
    ["the config's currentContext", () => ({ DOCKER_CONFIG: contextStore("remote-test", endpoint.url, { current: true }) })],
    [
      "DOCKER_CONTEXT",
      () => ({ DOCKER_CONFIG: contextStore("remote-test", endpoint.url, { current: false }), DOCKER_CONTEXT: "remote-test" }),
    ],
  ])("is used when %s chooses it; the program runs there and sees none of the host's files", async (_, engine) => {
    const before = { ...endpoint.traffic };
    const { code, stdout, stderr, pid } = await runFile(remoteEnv(engine()), program);
    expect(stdout).toBe("in /workspace host folder seen: False\n");
    expect(stderr).toMatch(/── Success · exit 0 · wall [\d.]+ ms · CPU [\d.]+ ms · peak memory [\d.]+ MB/);
    expect(code).toBe(0);
    expect(carried(endpoint, before).connections).toBeGreaterThan(0);
    expect(carried(endpoint, before).fromEngine).toBeGreaterThan(1000);
    expect(await containersOwnedBy(pid)).toEqual([]);
  });
});

describe("an engine endpoint nothing listens on", () => {
  it.each([
    ["DOCKER_HOST", (url: string) => ({ DOCKER_HOST: url }), "the endpoint DOCKER_HOST names: check that an engine listens there"],
    [
      "a context",
      (url: string) => ({ DOCKER_CONFIG: contextStore("gone", url, { current: true }) }),
      'the endpoint of Docker context "gone" (currentContext in',
    ],
  ])("named by %s: the run fails with the endpoint and what named it", async (_, engine, named) => {
    const url = `tcp://127.0.0.1:${await closedPort()}`;
    const { code, stdout, stderr } = await runFile(remoteEnv(engine(url)), "print('must not run')\n");
    expect(stdout).toBe("");
    expect(stderr).toContain(`codebeaker: docker isolation is not available: no Docker engine answers at ${url} (ECONNREFUSED), ${named}`);
    expect(stderr).not.toMatch(/leftovers/); // said once, not again as a failed clean-up
    expect(code).toBe(1);
  });
});

describe("the runner started with docker exec, over TCP", () => {
  it("speaks over the exec's hijacked stream as over a local socket's", async () => {
    const endpoint = await startTcpEngineEndpoint();
    const backend = new DockerBackend(new Docker(fromEndpoint(endpoint.url, undefined).options), silentLogger, {
      kind: "docker",
      runnerStart: "exec",
    });
    try {
      const python = RuntimeRegistry.builtIn().find("python")!;
      const limits = resolveLimits({ runtime: python.manifest.limits });
      const sandbox = await backend.createSandbox({
        sessionId: `remote-exec-${process.pid}`,
        runtime: python,
        limits,
        networkEnabled: false,
      });
      expect((await docker.getContainer(sandbox.id).inspect()).Config.Cmd).toEqual(["--keeper"]);
      const outcome = await sandbox.run({
        argv: ["python3", "-c", "print(input()[::-1])"],
        cwd: "/workspace",
        timeoutMs: 10_000,
        outputLimitBytes: 1 << 20,
        stdin: "PCT\n",
      }).outcome;
      expect(outcome).toMatchObject({ exitCode: 0, stdout: Buffer.from("TCP\n") });
      expect(endpoint.traffic.connections).toBeGreaterThan(0);
    } finally {
      await backend.dispose();
      await endpoint.close();
    }
    expect(await containersOwnedBy()).toEqual([]);
  });
});
