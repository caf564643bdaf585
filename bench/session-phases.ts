/** Cold session.create, pool acquire and warm execute_code, each interleaved with its floors. */
import type Docker from "dockerode";
import { execFileSync } from "node:child_process";
import type { Runtime } from "../contract/runtimes/manifest";
import { CreateResult, ExecuteResult, executeCode, problems, progress, series, versions, waitForContainers } from "./context";
import {
  basicOptions,
  ContainerTracker,
  createStartProbe,
  dockerExecProbe,
  hostProbe,
  ResidentProbe,
  residentProbe,
  sessionOptions,
} from "./floors";
import type { RpcClient } from "./rpc-client";
import { interleave, Probe } from "./stats";

export interface Language {
  language: string;
  /** The warm program: as little as the language allows. */
  code: string;
  /** A program that prints the interpreter's version (run once, untimed). */
  versionCode: string;
  /** The same interpreter doing nothing, for the floors. */
  argv: string[];
  /** The interpreter on this machine: its executable, resolved (a pyenv shim would time a shell script). */
  hostExecutable: () => string;
}

export const LANGUAGES: Language[] = [
  {
    language: "python",
    code: "pass",
    versionCode: "import sys; print(sys.version.split()[0])",
    argv: ["python3", "-c", "pass"],
    hostExecutable: () => run("python3", ["-c", "import sys; print(sys.executable)"]),
  },
  {
    language: "javascript",
    code: "",
    versionCode: "console.log(process.version)",
    argv: ["node", "-e", ""],
    hostExecutable: () => run("node", ["-p", "process.execPath"]),
  },
];

/** session.create on a host without a pool, interleaved with a. create+start (basic options, then the session's). */
export async function coldPhase(client: RpcClient, tracker: ContainerTracker, name: string, image: string, runtime: Runtime, runs: number) {
  progress(`cold: session.create ${name} (no pool) and create+start, ×${runs}`);
  const create = sessionCreateProbe(`cold.sessionCreate.${name}`, client, name, image);
  // The first create of a host process also looks the image up: timed apart, before the rounds.
  const first = performance.now();
  await create.once();
  series[`cold.sessionCreate.first.${name}`] = [performance.now() - first];
  await create.after!();
  const probes = [
    create,
    createStartProbe(`floor.createStart.basic.${name}`, tracker, () => basicOptions(image, ["sleep", "infinity"])),
    createStartProbe(`floor.createStart.sessionOptions.${name}`, tracker, () => sessionOptions(image, runtime)),
  ];
  Object.assign(series, await interleave(probes, runs, 1));
}

/**
 * session.create served from the pool: each timed create takes the ready sandbox; the session is closed and the
 * pool refilled before the next (untimed). Beside it: create+start with the session's options (what the pool
 * saves), and session.list (the API's own round trip, the least any method costs).
 */
export async function poolPhase(
  client: RpcClient,
  docker: Docker,
  tracker: ContainerTracker,
  owner: string,
  name: string,
  image: string,
  runtime: Runtime,
  runs: number,
) {
  progress(`pool: session.create ${name} from the pool, ×${runs}`);
  const acquire = sessionCreateProbe(`pool.acquire.${name}`, client, name, image);
  await acquire.once(); // the configuration is used once: from now on the pool keeps one ready
  await acquire.after!();
  await waitForContainers(docker, owner, name, 1);
  acquire.after = async () => {
    await client.call("session.close", { sessionId: acquire.sessionId() });
    await waitForContainers(docker, owner, name, 1);
  };
  const probes: Probe[] = [
    acquire,
    createStartProbe(`floor.createStart.sessionOptions.pool.${name}`, tracker, () => sessionOptions(image, runtime)),
    { name: `floor.apiRoundTrip.pool.${name}`, once: async () => void (await client.call("session.list", {})) },
  ];
  Object.assign(series, await interleave(probes, runs, 1));
}

/** execute_code in a warm session, interleaved with b. docker exec, c. the resident shell, d. the bare interpreter. */
export async function warmPhase(
  client: RpcClient,
  docker: Docker,
  tracker: ContainerTracker,
  owner: string,
  language: Language,
  image: string,
  runs: number,
  warmup: number,
) {
  const name = language.language;
  progress(`warm: execute_code ${name}, docker exec, resident shell, bare interpreter, ×${runs}`);
  const resident: ResidentProbe[] = [];
  const reported: ExecuteResult[] = [];
  try {
    resident.push(await warmExecuteProbe(client, language, reported, `warm.executeCode.${name}`));
    await waitForContainers(docker, owner, name, 2); // the session and the spare made after it
    resident.push(await dockerExecProbe(`floor.dockerExec.${name}`, tracker, image, language.argv));
    resident.push(await residentProbe(`floor.resident.${name}`, tracker, image, language.argv));
    const probes: Probe[] = [...resident];
    try {
      const executable = language.hostExecutable();
      versions[name] = { ...versions[name], hostExecutable: executable, host: run(executable, ["--version"]) };
      probes.push(hostProbe(`floor.host.${name}`, [executable, ...language.argv.slice(1)]));
    } catch (error) {
      problems.add(`no ${language.argv[0]} on this machine, so no bare floor for ${name}: ${(error as Error).message}`);
    }
    Object.assign(series, await interleave(probes, runs, warmup));
  } finally {
    for (const probe of resident) await probe.close().catch((error: Error) => problems.add(`closing ${probe.name}: ${error.message}`));
  }
  recordReported(`warm.executeCode`, name, reported.slice(warmup));
}

/** The host's durationMs and the runner's own metrics of the timed runs, beside the client's round trip. */
export function recordReported(prefix: string, name: string, timed: ExecuteResult[]): void {
  series[`${prefix}.hostDurationMs.${name}`] = timed.map((result) => result.durationMs);
  series[`${prefix}.runnerWallMs.${name}`] = timed.map((result) => result.metrics?.wallMs ?? Number.NaN);
  series[`${prefix}.runnerCpuMs.${name}`] = timed.map((result) => result.metrics?.cpuMs ?? Number.NaN);
}

/** session.create timed at the client; each session is closed (untimed) before the next. */
function sessionCreateProbe(probeName: string, client: RpcClient, language: string, image: string): Probe & { sessionId(): string } {
  let sessionId: string | undefined;
  return {
    name: probeName,
    once: async () => {
      const created = await client.call<CreateResult>("session.create", { language });
      sessionId = created.sessionId;
      if (created.image !== image) problems.add(`session.create ${language} used ${created.image}, but codebeaker images said ${image}`);
    },
    after: async () => {
      await client.call("session.close", { sessionId });
    },
    sessionId: () => sessionId!,
  };
}

/** execute_code in one session (created with `params`), timed at the client; its answers go to `reported`. */
export async function warmExecuteProbe(
  client: RpcClient,
  language: Language,
  reported: ExecuteResult[],
  probeName: string,
  params: Record<string, unknown> = {},
): Promise<ResidentProbe & { sessionId: string }> {
  const name = language.language;
  const { sessionId } = await client.call<CreateResult>("session.create", { language: name, ...params });
  const version = await executeCode(client, sessionId, language.versionCode);
  if (!params.isolation) versions[name] = { ...versions[name], container: String(version.result) };
  return {
    name: probeName,
    sessionId,
    once: async () => {
      reported.push(await executeCode(client, sessionId, language.code));
    },
    close: async () => {
      await client.call("session.close", { sessionId });
    },
  };
}

export function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}
