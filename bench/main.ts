/**
 * `npm run bench`: what a session costs through CodeBeaker's JSON-RPC API, next to what the same work costs
 * straight against Docker or with no sandbox (the floors), measured in one run on one machine. It measures and
 * prints; it asserts nothing about time. `--json FILE` also writes every raw number.
 */
import Docker from "dockerode";
import { resolveEngineConnection } from "../host/isolation/docker/engine-connection";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Labels } from "../host/isolation/docker/container-spec";
import { ownerLabel } from "../host/isolation/docker/owner";
import { RuntimeRegistry } from "../contract/runtimes/registry";
import { CreateResult, problems, progress, quantities, series, versions } from "./context";
import { ContainerTracker } from "./floors";
import { HostProcess, runtimeImages, stopChild } from "./host-process";
import { gvisorPhase, processPhase } from "./isolation-phase";
import { editRunPhase } from "./edit-run-phase";
import { describeLines, describeMachine } from "./machine";
import { memoryPhase, nodeFloorRss, sampleHostRss } from "./memory-phase";
import { mirrorPhase } from "./mirror-phase";
import { report } from "./report";
import { RpcClient } from "./rpc-client";
import { coldPhase, LANGUAGES, poolPhase, warmPhase } from "./session-phases";
import { summarize } from "./stats";
import { throughputPhase } from "./throughput-phase";

/** How each host ended on SIGTERM, and how long it took. */
const hostStops: Record<string, { exit: number | string; ms: number }> = {};
/** The hosts' stderr, shown when the bench fails. */
let hostLog: string[] = [];

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

for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const) {
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
      "edit-runs": { type: "string", default: "15" },
      warmup: { type: "string", default: "5" },
      // A user edits before running again: the untimed pause after each edit→run (0: back to back).
      "edit-pause-ms": { type: "string", default: "250" },
      "edit-languages": { type: "string" },
      phases: { type: "string", default: PHASES.join(",") },
    },
  });
  const coldRuns = positive("--cold-runs", values["cold-runs"]);
  const warmRuns = positive("--warm-runs", values["warm-runs"]);
  const warmup = positive("--warmup", values.warmup, 0);
  const editRuns = positive("--edit-runs", values["edit-runs"]);
  const editPauseMs = positive("--edit-pause-ms", values["edit-pause-ms"], 0);
  const phases = chosen("--phases", values.phases, PHASES);
  const editLanguages = values["edit-languages"]
    ? chosen("--edit-languages", values["edit-languages"], RuntimeRegistry.builtIn().languages())
    : undefined;

  // Each host records its runs' history in a directory of its own, with room for every run of the bench: the
  // figures are then the same whatever earlier runs left in the user's history (see docs/BENCHMARKS.md).
  const historyDir = mkdtempSync(join(tmpdir(), "codebeaker-bench-history-"));
  cleanups.push(async () => rmSync(historyDir, { recursive: true, force: true }));
  const historyArgs = (name: string) => ["--history-dir", join(historyDir, name), "--history-max-runs", "1000000"];
  const docker = new Docker(resolveEngineConnection().options);
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
  progress(`building or finding the default versions' runtime images of ${languages.join(", ")}`);
  const images = await runtimeImages(languages);
  const registry = RuntimeRegistry.builtIn();

  // 1. Cold session.create on a host without a pool: every create starts a container.
  if (phases.has("cold"))
    await withHost(docker, "cold", ["--warm-pool", "0", ...historyArgs("cold")], async (client) => {
      for (const { language } of LANGUAGES) {
        await coldPhase(client, tracker, language, images.get(language)!, registry.find(language)!, coldRuns);
      }
    });

  // 2. Everything else on a host as users run it: with its pool.
  await withHost(docker, "pooled", historyArgs("pooled"), async (client, host) => {
    const owner = ownerLabel(host.pid);
    sampleHostRss("start", host.pid);
    for (const language of LANGUAGES) {
      const image = images.get(language.language)!;
      if (phases.has("pool"))
        await poolPhase(client, docker, tracker, owner, language.language, image, registry.find(language.language)!, coldRuns * 2);
      if (phases.has("warm")) await warmPhase(client, docker, tracker, owner, language, image, warmRuns, warmup);
    }
    const python = LANGUAGES[0]!;
    const pythonImage = images.get("python")!;
    await withIdleSessions(client, 8, () => sampleHostRss("withSessions", host.pid));
    if (phases.has("throughput")) await throughputPhase(client, docker, tracker, owner, python, pythonImage, 30, 3);
    if (phases.has("mirror")) await mirrorPhase(client, docker, tracker, owner, pythonImage, 5, 30);
    sampleHostRss("afterMirror", host.pid);
    if (phases.has("memory"))
      for (const language of LANGUAGES) await memoryPhase(client, docker, tracker, owner, language, images.get(language.language)!);
    if (phases.has("isolation")) {
      await gvisorPhase(client, docker, tracker, python, pythonImage, warmRuns, warmup);
      await processPhase(client, python, warmRuns, warmup);
    }
    if (phases.has("edit-run")) await editRunPhase(client, editLanguages ?? registry.languages(), editRuns, 2, editPauseMs);
    sampleHostRss("end", host.pid);
  });
  await nodeFloorRss();

  console.log("");
  console.log(report().join("\n"));
  const hostWarnings = hostLog.filter((line) => /^\[codebeaker (warn|error)\]/.test(line));
  if (hostWarnings.length) console.log(`\nThe hosts logged ${hostWarnings.length} warning(s):\n${hostWarnings.join("\n")}`);
  if (problems.size) console.log(`\nNoticed:\n${[...problems].map((problem) => `- ${problem}`).join("\n")}`);
  for (const [name, stop] of Object.entries(hostStops))
    console.log(`The ${name} host exited with ${stop.exit} ${stop.ms.toFixed(0)} ms after SIGTERM.`);
  const after = loadavg()
    .map((load) => load.toFixed(2))
    .join(" ");
  console.log(`load average at the end: ${after} (at the start: ${machine.loadAverage})`);

  if (values.json) {
    const raw = Object.fromEntries(Object.entries(series).map(([name, values]) => [name, { unit: "ms", ...summarize(values), values }]));
    const document = {
      date: machine.date,
      machine,
      loadAverageAtEnd: after,
      config: { phases: [...phases], coldRuns, warmRuns, warmup, coldWarmup: 1, editRuns, editWarmup: 2, editPauseMs },
      images: Object.fromEntries(images),
      versions,
      series: raw,
      quantities,
      hostStops,
      hostWarnings,
      problems: [...problems],
    };
    writeFileSync(values.json, `${JSON.stringify(document, null, 2)}\n`);
    console.log(`raw numbers written to ${values.json}`);
  }
}

/** Starts `codebeaker serve` with `args`, runs `work` against it, then stops it and checks it left nothing. */
async function withHost(docker: Docker, name: string, args: string[], work: (client: RpcClient, host: HostProcess) => Promise<void>) {
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (child) await stopHost(docker, name, child);
    child = undefined;
  };
  cleanups.push(stop);
  const host = await HostProcess.start((started) => (child = started), args);
  hostLog = host.log;
  progress(`${name} host ${host.pid} listening on ${host.url}`);
  const client = await RpcClient.connect(host.url);
  await work(client, host);
  await client.close();
  await stop();
}

async function withIdleSessions(client: RpcClient, count: number, measure: () => void): Promise<void> {
  const sessions: string[] = [];
  try {
    for (let i = 0; i < count; i++) sessions.push((await client.call<CreateResult>("session.create", { language: "python" })).sessionId);
    measure();
  } finally {
    for (const sessionId of sessions) await client.call("session.close", { sessionId });
  }
}

/** Stops a host with SIGTERM, then checks that its containers (sessions and spares) are gone, removing any that is not. */
async function stopHost(docker: Docker, name: string, child: ChildProcess): Promise<void> {
  const started = performance.now();
  const exit = await stopChild(child);
  hostStops[name] = { exit, ms: performance.now() - started };
  if (exit !== 0) problems.add(`the ${name} host ended with ${exit} on SIGTERM (expected a clean exit, 0)`);
  const owner = ownerLabel(child.pid);
  const left = await docker.listContainers({ all: true, filters: { label: [`${Labels.owner}=${owner}`] } });
  if (left.length) {
    problems.add(
      `the ${name} host left ${left.length} container(s) after SIGTERM: ${left.map((info) => `${info.Id.slice(0, 12)} (${info.State})`).join(", ")}`,
    );
    await Promise.all(
      left.map((info) =>
        docker
          .getContainer(info.Id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
    );
  }
}

/** The phases, in the order they run; `--phases` picks some of them (the report leaves out what did not run). */
const PHASES = ["cold", "pool", "warm", "throughput", "mirror", "memory", "isolation", "edit-run"];

/** A comma-separated subset of `known`, or an error naming the flag and what it does not know. */
function chosen(flag: string, value: string | undefined, known: readonly string[]): Set<string> {
  const names = (value ?? "").split(",").filter(Boolean);
  const unknown = names.filter((name) => !known.includes(name));
  if (!names.length || unknown.length) throw new Error(`${flag}: unknown ${unknown.join(", ") || "(empty)"}; known: ${known.join(", ")}`);
  return new Set(names);
}

function positive(flag: string, value: string | undefined, minimum = 1): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < minimum) throw new Error(`${flag} must be an integer ≥ ${minimum}`);
  return number;
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
