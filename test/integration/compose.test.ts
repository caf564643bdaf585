import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { Labels } from "../../host/isolation/docker/container-spec";
import { DockerBackend } from "../../host/isolation/docker/docker-backend";
import { silentLogger } from "../../host/log";
import { RuntimeRegistry } from "../../contract/runtimes/registry";
import { createSession, docker, eventually, execute, useHost } from "./helpers";

/**
 * The README's "Run the server" with Docker Compose, as a user runs it: its shell block verbatim (build the host's
 * image, `up -d` with a fresh random token), then the usage guide's walkthrough over the published port, a
 * `down` that must leave no sandbox, an `up` that still has the history, and a killed service started again.
 * Only what a second deployment on one engine would set differs: the project name, the published port and the
 * host name (CODEBEAKER_PUBLISH, CODEBEAKER_HOSTNAME of compose.yaml). The project and its volume are removed
 * afterwards, however the test ended; the image stays, as runtime images do, so the next build is cached.
 */
const ROOT = join(__dirname, "..", "..");
const upBlock = composeBlock(readFileSync(join(ROOT, "README.md"), "utf8"));
/** `docker-compose` or `docker compose`, as the README says it. */
const composeCommand = /^(docker-compose|docker compose) /m.exec(upBlock)![1]!.split(" ");

describe("the host as a Docker Compose service (README: Run the server)", () => {
  const project = `cbcompose${randomBytes(4).toString("hex")}`;
  const hostname = `codebeaker-${project}`;
  const env: NodeJS.ProcessEnv = { ...process.env, COMPOSE_PROJECT_NAME: project, CODEBEAKER_HOSTNAME: hostname };
  delete env.CODEBEAKER_TOKEN; // the README's block makes one
  let base = "";
  let token = "";
  const compose = (...args: string[]) => command(composeCommand[0]!, [...composeCommand.slice(1), ...args], env);
  /** Another CodeBeaker on the same engine: the service must never touch its sandboxes. */
  const neighbour = useHost({ warmPoolSize: 0 });

  beforeAll(async () => {
    const port = await freePort();
    env.CODEBEAKER_PUBLISH = `127.0.0.1:${port}`;
    base = `127.0.0.1:${port}`;
    const up = await command("bash", ["-euo", "pipefail", "-c", `${upBlock}\nprintf 'token=%s\\n' "$CODEBEAKER_TOKEN"`], env);
    expect(up.code, up.output).toBe(0);
    token = /^token=(\w+)$/m.exec(up.output)![1]!;
    env.CODEBEAKER_TOKEN = token; // later `up`s keep it, as the user's shell (or .env) does
    await answersHealth();
  }, 300_000);

  afterAll(async () => {
    const down = await compose("down", "--volumes", "--remove-orphans", "--timeout", "30");
    expect(down.code, down.output).toBe(0);
  }, 120_000);

  it("serves the guide's walkthrough over the published port, only to clients with the token", async () => {
    const health = await fetch(`http://${base}/health`);
    expect(await health.json()).toMatchObject({ status: "ok", sessions: 0 });
    await expect(GuideClient.open(`ws://${base}/ws/jsonrpc`)).rejects.toThrow("HTTP 401");
    await expect(GuideClient.open(`ws://${base}/ws/jsonrpc`, "not-the-token")).rejects.toThrow("HTTP 401");

    const client = await GuideClient.open(`ws://${base}/ws/jsonrpc`, token);
    // 1. session.create
    const created = await client.request("session.create", {
      language: "python",
      idleTimeoutMinutes: 30,
      maxLifetimeMinutes: 120,
      memoryLimitMB: 512,
    });
    expect(created.result).toMatchObject({
      language: "python",
      state: "Active",
      config: { idleTimeoutMinutes: 30, maxLifetimeMinutes: 120 },
    });
    const { sessionId, containerId } = created.result;
    // 2. write_file
    const written = await client.request("session.execute", {
      sessionId,
      command: { type: "write_file", path: "/workspace/hello.py", content: "print('Hello, World!')", mode: "Create" },
    });
    expect(written.result).toMatchObject({ success: true, result: { path: "/workspace/hello.py", bytes: 22 }, error: null });
    // 3. execute_shell
    const ran = await client.request("session.execute", {
      sessionId,
      command: { type: "execute_shell", commandName: "python3", args: ["/workspace/hello.py"], workingDirectory: "/workspace" },
    });
    expect(ran.result).toMatchObject({ success: true, result: { exitCode: 0, stdout: "Hello, World!\n", stderr: "" }, error: null });
    // 4. read_file
    const read = await client.request("session.execute", { sessionId, command: { type: "read_file", path: "/workspace/hello.py" } });
    expect(read.result).toMatchObject({ success: true, result: { content: "print('Hello, World!')", bytes: 22 } });
    // 5. session.list
    const listed = await client.request("session.list", {});
    expect(listed.result).toMatchObject({ count: 1, sessions: [{ sessionId, containerId, language: "python", executionCount: 3 }] });
    // 6. session.close
    expect((await client.request("session.close", { sessionId })).result).toEqual({ sessionId, closed: true });

    // The sandbox was a sibling container on the engine, made by this service, with nothing of the host mounted;
    // its image the one the runtimes/ folder inside the service's image describes (the same recipe as here).
    const python = RuntimeRegistry.builtIn().find("python")!;
    expect(created.result.image).toBe(await new DockerBackend(docker, silentLogger).images.runtimeImage(python));
    const another = (await client.request("session.create", { language: "python", workspace: "compose" })).result;
    const sandbox = await docker.getContainer(another.containerId).inspect();
    expect(sandbox.Config.Labels[Labels.owner]).toMatch(new RegExp(`^${hostname}/`));
    expect(sandbox.Mounts).toEqual([]);
    // A run the history records; the session stays open for `down` to end.
    const recorded = await client.request("session.execute", {
      sessionId: another.sessionId,
      command: { type: "execute_code", code: "print(6 * 7)" },
    });
    expect(recorded.result).toMatchObject({ success: true, result: "42" });
    client.close();

    const logs = await compose("logs", "--no-color");
    expect(logs.output).toContain("[codebeaker info] Docker engine");
    expect(logs.output).toContain("listening on ws://0.0.0.0:5000/ws/jsonrpc");
    expect(logs.output).not.toContain(token);
    await eventually(async () => (await serviceContainer())?.State.Health?.Status === "healthy", "the compose health check passes", 60_000);
  });

  it("runs gVisor sessions when the engine has runsc, and refuses bubblewrap, which the container cannot give", async (test) => {
    const client = await GuideClient.open(`ws://${base}/ws/jsonrpc`, token);
    const refused = await client.request("session.create", { language: "python", isolation: "process" });
    expect(refused.error.message).toContain("process isolation is not available");

    const gvisor = await neighbour().isolations.byKind("gvisor").available();
    const required = (process.env.CODEBEAKER_REQUIRE_ISOLATION ?? "").split(",").includes("gvisor");
    if (!gvisor.ok && !required) return test.skip(gvisor.reason);
    const created = await client.request("session.create", { language: "python", isolation: "gvisor" });
    expect(created.result).toMatchObject({ isolation: "gvisor" });
    const { HostConfig } = await docker.getContainer(created.result.containerId).inspect();
    expect(HostConfig.Runtime).toMatch(/runsc/);
    const ran = await client.request("session.execute", {
      sessionId: created.result.sessionId,
      command: { type: "execute_code", code: "print(6 * 7)" },
    });
    expect(ran.result).toMatchObject({ success: true, result: "42" });
    await client.request("session.close", { sessionId: created.result.sessionId });
    client.close();
  });

  it("`down` ends the host with SIGTERM, which removes every sandbox it made; `up` finds the history", async () => {
    const service = (await serviceContainer())!;
    expect(await sandboxesOfService()).not.toEqual([]); // the open session and a ready spare
    const exitCode = await nextExitCode(service.Id);
    const down = await compose("down");
    expect(down.code, down.output).toBe(0);
    expect(await sandboxesOfService()).toEqual([]);
    // It ended by itself on SIGTERM (exit 0), not killed when the grace period ran out (137).
    expect(await exitCode()).toBe("0");

    const up = await compose("up", "-d");
    expect(up.code, up.output).toBe(0);
    await answersHealth();
    const client = await GuideClient.open(`ws://${base}/ws/jsonrpc`, token);
    const history = await client.request("history.list", { workspace: "compose" });
    expect(history.result.runs).toMatchObject([{ path: "main.py", version: 1, status: "Success", stdoutHead: "42\n" }]);
    client.close();
  });

  it("started again after being killed, it has no sandbox of the killed host left, and another host's untouched", async () => {
    const theirs = await createSession(neighbour(), { language: "python" });
    const client = await GuideClient.open(`ws://${base}/ws/jsonrpc`, token);
    const ours = (await client.request("session.create", { language: "python" })).result;
    const killedOwner = (await docker.getContainer(ours.containerId).inspect()).Config.Labels[Labels.owner];
    client.close();

    const killed = await compose("kill"); // SIGKILL: no chance to clean up
    expect(killed.code, killed.output).toBe(0);
    const up = await compose("up", "-d");
    expect(up.code, up.output).toBe(0);
    await answersHealth();
    await eventually(
      async () => (await sandboxesOfService()).every((info) => info.Labels[Labels.owner] !== killedOwner),
      "the killed host's sandboxes are gone",
    );
    expect((await execute(theirs, { type: "execute_code", code: "print('still here')" })).result).toBe("still here");
    await neighbour().sessions.close(theirs.id, "the test is over");
  });

  async function answersHealth(): Promise<void> {
    const ok = () =>
      fetch(`http://${base}/health`, { signal: AbortSignal.timeout(5_000) }).then(
        (response) => response.ok,
        () => false,
      );
    await eventually(ok, `GET /health answers at ${base}`, 60_000).catch(async (error) => {
      throw new Error(`${(error as Error).message}; the service's log:\n${(await compose("logs", "--no-color")).output}`);
    });
  }

  async function serviceContainer() {
    const [info] = await docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
    return info ? docker.getContainer(info.Id).inspect() : undefined;
  }

  /** The sandboxes this deployment's host made: their owner label starts with its host name. */
  async function sandboxesOfService() {
    const all = await docker.listContainers({ all: true, filters: { label: [Labels.owner] } });
    return all.filter((info) => info.Labels[Labels.owner]?.startsWith(`${hostname}/`));
  }
});

/** The shell block of the README's "Run the server" that starts the compose service. */
function composeBlock(readme: string): string {
  const section = /^## Run the server\n([\s\S]*?)^## /m.exec(readme)?.[1];
  if (!section) throw new Error('README.md has no "## Run the server" section');
  const block = [...section.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map(([, body]) => body!).find((body) => / up -d/.test(body));
  if (!block) throw new Error('the README\'s "Run the server" has no sh block with "compose up -d"');
  return block;
}

/** The exit code of the container's next `die`, watched from now (the engine keeps only its last events). */
async function nextExitCode(id: string): Promise<() => Promise<string>> {
  const events = await docker.getEvents({ filters: { container: [id], event: ["die"] } });
  const died = new Promise<string>((resolve) =>
    events.on("data", (chunk: Buffer) => resolve(JSON.parse(chunk.toString().split("\n")[0]!).Actor.Attributes.exitCode)),
  );
  return async () => {
    try {
      return await died;
    } finally {
      (events as unknown as { destroy(): void }).destroy();
    }
  };
}

/** Runs a command to its end, or kills it after `timeoutMs`: its exit code (null if killed) and all it printed. */
function command(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 240_000,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(file, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const timer = setTimeout(() => {
    output += `\n(${file} ${args.join(" ")} was still running after ${timeoutMs / 1000} s: killed)`;
    child.kill("SIGKILL");
  }, timeoutMs);
  return new Promise((resolve) => {
    child.once("error", (error) => resolve({ code: null, output: `${file}: ${error.message}` }));
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A client written from the guide: plain `ws`, one JSON text per message, with the token as a bearer. */
class GuideClient {
  private readonly waiting = new Map<number, (message: any) => void>();
  private nextId = 1;

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const message = JSON.parse(data.toString());
      if (typeof message.id === "number") this.waiting.get(message.id)?.(message);
    });
  }

  static open(url: string, token?: string): Promise<GuideClient> {
    const ws = new WebSocket(url, { headers: token ? { Authorization: `Bearer ${token}` } : {}, handshakeTimeout: 10_000 });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new GuideClient(ws)));
      ws.once("unexpected-response", (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
      ws.once("error", reject);
    });
  }

  request(method: string, params: unknown): Promise<any> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    });
  }

  close(): void {
    this.ws.close();
  }
}
