/**
 * Warm runs under the other isolations: gVisor (floors under runsc too) and bubblewrap (floors: the bare
 * interpreter this machine has, the very binary the sandbox runs, and a fresh bubblewrap sandbox per run).
 */
import type Docker from "dockerode";
import { ExecuteResult, executeCode, problems, progress, series } from "./context";
import { ContainerTracker, dockerExecProbe, hostProbe, ResidentProbe, residentProbe } from "./floors";
import type { RpcClient } from "./rpc-client";
import { Language, recordReported, warmExecuteProbe } from "./session-phases";
import { interleave, Probe } from "./stats";

export async function gvisorPhase(
  client: RpcClient,
  docker: Docker,
  tracker: ContainerTracker,
  language: Language,
  image: string,
  runs: number,
  warmup: number,
) {
  const name = language.language;
  const runtimes = ((await docker.info()).Runtimes ?? {}) as Record<string, { path?: string }>;
  const runsc = Object.keys(runtimes).find((key) => key === "runsc" || runtimes[key]?.path?.endsWith("runsc"));
  if (!runsc) return void problems.add("gVisor (runsc) is not registered with this engine: no gVisor figures");
  progress(`gvisor: execute_code ${name} under gVisor, docker exec and resident shell under runsc, ×${runs}`);
  const reported: ExecuteResult[] = [];
  const probes: ResidentProbe[] = [];
  try {
    probes.push(await warmExecuteProbe(client, language, reported, `gvisor.executeCode.${name}`, { isolation: "gvisor" }));
    probes.push(await dockerExecProbe(`floor.gvisor.dockerExec.${name}`, tracker, image, language.argv, runsc));
    probes.push(await residentProbe(`floor.gvisor.resident.${name}`, tracker, image, language.argv, runsc));
    Object.assign(series, await interleave(probes, runs, warmup));
  } finally {
    for (const probe of probes) await probe.close().catch((error: Error) => problems.add(`closing ${probe.name}: ${error.message}`));
  }
  recordReported("gvisor.executeCode", name, reported.slice(warmup));
}

export async function processPhase(client: RpcClient, language: Language, runs: number, warmup: number) {
  const name = language.language;
  progress(`process: execute_code ${name} under bubblewrap, the bare interpreter, bwrap per run, ×${runs}`);
  const reported: ExecuteResult[] = [];
  let session: ResidentProbe & { sessionId: string };
  try {
    session = await warmExecuteProbe(client, language, reported, `process.executeCode.${name}`, { isolation: "process" });
  } catch (error) {
    return void problems.add(`no process-isolation figures: ${(error as Error).message}`);
  }
  try {
    // The floor runs the interpreter the sandbox runs: this machine's /usr, as the sandbox sees it.
    const executable = String((await executeCode(client, session.sessionId, "import sys; print(sys.executable)")).result);
    const argv = [executable, ...language.argv.slice(1)];
    const probes: Probe[] = [
      session,
      hostProbe(`floor.process.host.${name}`, argv),
      hostProbe(`floor.process.bwrapPerRun.${name}`, ["bwrap", ...MINIMAL_BWRAP, ...argv]),
    ];
    Object.assign(series, await interleave(probes, runs, warmup));
  } finally {
    await session.close().catch((error: Error) => problems.add(`closing ${session.name}: ${error.message}`));
  }
  recordReported("process.executeCode", name, reported.slice(warmup));
}

/** The smallest bubblewrap sandbox an interpreter runs in: what a design with no resident runner starts per run. */
const MINIMAL_BWRAP = [
  "--ro-bind",
  "/usr",
  "/usr",
  "--symlink",
  "usr/lib",
  "/lib",
  "--symlink",
  "usr/lib64",
  "/lib64",
  "--symlink",
  "usr/bin",
  "/bin",
  "--proc",
  "/proc",
  "--dev",
  "/dev",
  "--tmpfs",
  "/tmp",
  "--unshare-all",
  "--die-with-parent",
];
