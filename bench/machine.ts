/** The machine a run was measured on, as the report prints it. */
import type Docker from "dockerode";
import { readFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem, type } from "node:os";

export interface Machine {
  date: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  docker: string;
  dockerApi: string;
  runc: string;
  cgroup: string;
  storageDriver: string;
  node: string;
  loadAverage: string;
}

export async function describeMachine(docker: Docker): Promise<Machine> {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const version = await docker.version();
  const info = (await docker.info()) as { RuncCommit?: { ID?: string }; CgroupVersion?: string; Driver?: string };
  return {
    date: new Date().toISOString(),
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${type()} ${release()}`,
    docker: version.Version,
    dockerApi: version.ApiVersion,
    runc: info.RuncCommit?.ID ?? "unknown",
    cgroup: `v${info.CgroupVersion ?? "?"}`,
    storageDriver: info.Driver ?? "unknown",
    node: process.version,
    loadAverage: loadavg()
      .map((load) => load.toFixed(2))
      .join(" "),
  };
}

export function describeLines(machine: Machine): string[] {
  return [
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.kernel}`,
    `docker: engine ${machine.docker} (API ${machine.dockerApi}), runc ${machine.runc}, cgroup ${machine.cgroup}, ${machine.storageDriver}; bench on Node ${machine.node}`,
    `load average at the start: ${machine.loadAverage}`,
  ];
}
