/**
 * `npm run bench`: what a session costs through CodeBeaker's JSON-RPC API, next to what the same work costs
 * straight against Docker (the floors), measured in one run on one machine. It measures and prints; it
 * asserts nothing about time. `--json FILE` also writes every raw number.
 */
import Docker from "dockerode";
import type { ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { Labels } from "../host/isolation/docker/container-spec";
import { ownerLabel } from "../host/isolation/docker/owner";
import type { Runtime } from "../host/runtimes/manifest";
import { RuntimeRegistry } from "../host/runtimes/registry";
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
import { HostProcess, runtimeImages, stopChild } from "./host-process";
import { describeLines, describeMachine } from "./machine";
import { RpcClient } from "./rpc-client";
import { formatMs, formatRatio, interleave, Probe, summarize, Summary } from "./stats";

interface Language {
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

const LANGUAGES: Language[] = [
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

interface CreateResult {
  sessionId: string;
  containerId: string;
  image: string;
}

interface ExecuteResult {
  success: boolean;
  result: unknown;
  error: string | null;
  durationMs: number;
  status: string;
  metrics: { wallMs: number; cpuMs: number; peakMemoryBytes: number } | null;
}

/** Raw durations in ms, by series name. */
const series: Record<string, number[]> = {};
/** What went wrong or looked wrong along the way (not timings). */
const problems = new Set<string>();
/** How the host ended on SIGTERM, and how long it took. */
let hostStop: { exit: number | string; ms: number } | undefined;
/** The host's stderr, shown when the bench fails. */
let hostLog: string[] = [];
const versions: Record<string, { container?: string; host?: string; hostExecutable?: string }> = {};

// ---------- cleanup, whatever happens ----------

const cleanups: Array<() => Promise<void>> = [];
let cleaning: Promise<void> | undefined;
/** Set on SIGINT/SIGTERM: what fails after it failed because of the cleanup, and is not reported. */
let interrupted = false;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) {
      await step().catch((error: Error) => console.error(`bench: cleanup: ${error.message}`));
    }
  })();
  return cleaning;
}

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`bench: ${signal}, cleaning up`);
    void cleanup().finally(() => process.exit(code));
  });
}

// ---------- the run ----------

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: "string" },
      "cold-runs": { type: "string", default: "10" },
      "warm-runs": { type: "string", default: "50" },
      warmup: { type: "string", default: "5" },
    },
  });
  const coldRuns = positive("--cold-runs", values["cold-runs"]);
  const warmRuns = positive("--warm-runs", values["warm-runs"]);
  const warmup = positive("--warmup", values.warmup, 0);

  const docker = new Docker();
  const tracker = new ContainerTracker(docker);
  cleanups.push(async () => {
    const removed = await tracker.removeAll();
    if (removed) console.error(`bench: removed ${removed} container(s) of an interrupted floor`);
  });

  const machine = await describeMachine(docker);
  console.log(`CodeBeaker bench, ${machine.date}`);
  console.log(describeLines(machine).join("\n"));
  console.log(`runs: ${coldRuns} cold (after 1 untimed), ${warmRuns} warm (after ${warmup} untimed)\n`);

  const languages = LANGUAGES.map((entry) => entry.language);
  progress(`building or finding the runtime images: codebeaker images ${languages.join(" ")}`);
  const images = await runtimeImages(languages);

  // The figures through the API, each interleaved with its floors straight against the engine.
  let child: ChildProcess | undefined;
  cleanups.push(async () => {
    if (child) await stopHost(docker, child);
  });
  const host = await HostProcess.start((started) => (child = started));
  hostLog = host.log;
  progress(`host ${host.pid} listening on ${host.url}`);
  const client = await RpcClient.connect(host.url);
  const registry = RuntimeRegistry.builtIn();
  for (const language of LANGUAGES) {
    const image = images.get(language.language)!;
    await coldPhase(client, tracker, language.language, image, registry.find(language.language)!, coldRuns);
    await warmPhase(client, tracker, language, image, warmRuns, warmup);
  }
  await client.close();
  const hostChild = child!;
  child = undefined;
  await stopHost(docker, hostChild);
  const hostWarnings = host.log.filter((line) => /^\[codebeaker (warn|error)\]/.test(line));

  const summaries = Object.fromEntries(Object.entries(series).map(([name, values]) => [name, summarize(values)]));
  console.log("");
  console.log(report(summaries).join("\n"));
  if (hostWarnings.length) console.log(`\nThe host logged ${hostWarnings.length} warning(s):\n${hostWarnings.join("\n")}`);
  if (problems.size) console.log(`\nNoticed:\n${[...problems].map((problem) => `- ${problem}`).join("\n")}`);
  if (hostStop) console.log(`\nThe host exited with ${hostStop.exit} ${formatMs(hostStop.ms)} ms after SIGTERM.`);
  const after = loadavg().map((load) => load.toFixed(2)).join(" ");
  console.log(`load average at the end: ${after} (at the start: ${machine.loadAverage})`);

  if (values.json) {
    const raw = Object.fromEntries(
      Object.entries(series).map(([name, values]) => [name, { unit: "ms", ...summaries[name], values }]),
    );
    const document = {
      date: machine.date,
      machine,
      loadAverageAtEnd: after,
      config: { coldRuns, warmRuns, warmup, coldWarmup: 1 },
      images: Object.fromEntries(images),
      versions,
      series: raw,
      hostStop,
      hostWarnings,
      problems: [...problems],
    };
    writeFileSync(values.json, `${JSON.stringify(document, null, 2)}\n`);
    console.log(`raw numbers written to ${values.json}`);
  }
}

/** 1. session.create, interleaved with a. create+start (basic options, then the session's own options). */
async function coldPhase(
  client: RpcClient,
  tracker: ContainerTracker,
  name: string,
  image: string,
  runtime: Runtime,
  runs: number,
): Promise<void> {
  progress(`cold: session.create ${name} and create+start, ×${runs}`);
  const create = sessionCreateProbe(client, name, image);
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

/** 2. execute_code in a warm session, interleaved with b. docker exec, c. the resident shell, d. the bare interpreter. */
async function warmPhase(
  client: RpcClient,
  tracker: ContainerTracker,
  language: Language,
  image: string,
  runs: number,
  warmup: number,
): Promise<void> {
  const name = language.language;
  progress(`warm: execute_code ${name}, docker exec, resident shell, bare interpreter, ×${runs}`);
  const resident: ResidentProbe[] = [];
  try {
    resident.push(await warmExecuteProbe(client, language));
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
    // A failed close is reported, and does not hide the error that brought us here.
    for (const probe of resident) {
      await probe.close().catch((error: Error) => problems.add(`closing ${probe.name}: ${error.message}`));
    }
  }
  const timed = reported.splice(0).slice(warmup);
  series[`warm.executeCode.hostDurationMs.${name}`] = timed.map((result) => result.durationMs);
  series[`warm.executeCode.runnerWallMs.${name}`] = timed.map((result) => result.metrics?.wallMs ?? Number.NaN);
  series[`warm.executeCode.runnerCpuMs.${name}`] = timed.map((result) => result.metrics?.cpuMs ?? Number.NaN);
}

/** 1. session.create, timed at the client; each session is closed (untimed) before the next. */
function sessionCreateProbe(client: RpcClient, language: string, image: string): Probe {
  let sessionId: string | undefined;
  return {
    name: `cold.sessionCreate.${language}`,
    once: async () => {
      const created = await client.call<CreateResult>("session.create", { language });
      sessionId = created.sessionId;
      if (created.image !== image) {
        problems.add(`session.create ${language} used ${created.image}, but codebeaker images said ${image}`);
      }
    },
    after: async () => {
      await client.call("session.close", { sessionId });
    },
  };
}

/** What the host answered to the warm runs (warm-up included), for its durationMs and metrics. */
const reported: ExecuteResult[] = [];

/** 2. execute_code in one session, timed at the client. */
async function warmExecuteProbe(client: RpcClient, language: Language): Promise<ResidentProbe> {
  const name = language.language;
  const { sessionId } = await client.call<CreateResult>("session.create", { language: name });
  const version = await execute(client, sessionId, language.versionCode);
  versions[name] = { ...versions[name], container: String(version.result) };
  return {
    name: `warm.executeCode.${name}`,
    once: async () => {
      reported.push(await execute(client, sessionId, language.code));
    },
    close: async () => {
      await client.call("session.close", { sessionId });
    },
  };
}

async function execute(client: RpcClient, sessionId: string, code: string): Promise<ExecuteResult> {
  const result = await client.call<ExecuteResult>("session.execute", {
    sessionId,
    command: { type: "execute_code", code },
  });
  if (!result.success) throw new Error(`execute_code ${JSON.stringify(code)} failed: ${result.status}: ${result.error}`);
  return result;
}

/** Stops the host with SIGTERM, then checks that its sessions' containers are gone (and removes any that is not). */
async function stopHost(docker: Docker, child: ChildProcess): Promise<void> {
  const started = performance.now();
  const exit = await stopChild(child);
  hostStop = { exit, ms: performance.now() - started };
  if (exit !== 0) problems.add(`the host ended with ${exit} on SIGTERM (expected a clean exit, 0)`);
  const owner = ownerLabel(child.pid);
  const left = await docker.listContainers({ all: true, filters: { label: [`${Labels.owner}=${owner}`] } });
  if (left.length) {
    problems.add(`the host left ${left.length} session container(s) after SIGTERM: ${left.map((info) => `${info.Id.slice(0, 12)} (${info.State})`).join(", ")}`);
    await Promise.all(left.map((info) => docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined)));
  }
}

// ---------- the report ----------

const LABELS: Record<string, string> = {
  "cold.sessionCreate.first": "session.create, first of the host process",
  "cold.sessionCreate": "session.create (cold session)",
  "warm.executeCode": "execute_code (warm), client round trip",
  "warm.executeCode.hostDurationMs": "  the host's durationMs",
  "warm.executeCode.runnerWallMs": "  the runner's metrics.wallMs (program)",
  "warm.executeCode.runnerCpuMs": "  the runner's metrics.cpuMs (program)",
  "floor.createStart.basic": "floor a: create+start, basic options",
  "floor.createStart.sessionOptions": "floor a': create+start, the session's options",
  "floor.dockerExec": "floor b: docker exec (dockerode)",
  "floor.resident": "floor c: in-container, resident shell",
  "floor.host": "floor d: bare interpreter on this machine",
};

function report(summaries: Record<string, Summary>): string[] {
  const lines = ["All series, in ms (p50/p95 interpolated between closest ranks):"];
  lines.push(`${"".padEnd(58)}${["n", "p50", "p95", "min", "max"].map((h) => h.padStart(8)).join("")}`);
  for (const language of LANGUAGES) {
    const name = language.language;
    lines.push(name);
    for (const [key, label] of Object.entries(LABELS)) {
      const summary = summaries[`${key}.${name}`];
      if (!summary) continue;
      const cells = [String(summary.n), ...[summary.p50, summary.p95, summary.min, summary.max].map(formatMs)];
      lines.push(`  ${label.padEnd(56)}${cells.map((cell) => cell.padStart(8)).join("")}`);
    }
  }
  lines.push("", "Figures against their floors (ratio = figure / floor):");
  for (const language of LANGUAGES) {
    const name = language.language;
    const compare = (figure: string, title: string, floors: Array<[string, string]>) => {
      const measured = summaries[`${figure}.${name}`];
      if (!measured) return;
      for (const q of ["p50", "p95"] as const) {
        const parts = [`${title} ${name} ${q} ${formatMs(measured[q])} ms`];
        for (const [floor, floorTitle] of floors) {
          const base = summaries[`${floor}.${name}`];
          if (base) parts.push(`${floorTitle} ${formatMs(base[q])} ms (${formatRatio(measured[q], base[q])})`);
        }
        lines.push(parts.join(" | "));
      }
    };
    compare("cold.sessionCreate", "cold session.create", [
      ["floor.createStart.basic", "create+start floor"],
      ["floor.createStart.sessionOptions", "create+start with the session's options"],
    ]);
    compare("warm.executeCode", "warm execute_code", [
      ["floor.dockerExec", "docker exec floor"],
      ["floor.resident", "in-container floor"],
      ["floor.host", "bare host floor"],
    ]);
    const version = versions[name];
    if (version) {
      lines.push(`  (${name} in the image: ${version.container ?? "?"}; on this machine: ${version.host ?? "none"} at ${version.hostExecutable ?? "-"})`);
    }
  }
  return lines;
}

// ---------- small helpers ----------

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

function positive(flag: string, value: string | undefined, minimum = 1): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < minimum) throw new Error(`${flag} must be an integer ≥ ${minimum}`);
  return number;
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

main()
  .then(
    () => cleanup().then(() => 0),
    (error: Error) => {
      if (interrupted) return cleanup().then(() => 1);
      console.error(`bench: ${error.stack ?? error.message}`);
      if (problems.size) console.error(`also noticed:\n${[...problems].map((problem) => `- ${problem}`).join("\n")}`);
      if (hostLog.length) console.error(`the host's log (last lines):\n${hostLog.slice(-20).join("\n")}`);
      return cleanup().then(() => 1);
    },
  )
  .then((code) => process.exit(code));
