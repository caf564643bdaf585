import { megabytesIn } from "../../contract/limits";
import type { Isolation, SessionCreateParams } from "../../contract/protocol/session";
import { resolveWorkspacePath } from "../../contract/protocol/workspace-path";
import { CodeBeakerError } from "./errors";

/**
 * How a beaker's sandbox is set up: the seed's RuntimeConfig. Every field is optional; what is left out comes
 * from the runtime, then the defaults (512 MB, 1 CPU, 10 s per run, no network, no packages).
 */
export interface RuntimeConfig {
  /** Which version of the language ("3.11" for python); by default the newest stable one. */
  version?: string;
  /** Memory of the sandbox, swap included: "256m", "1g", or a number of megabytes. */
  memoryLimit?: string | number;
  /** CPU cores the sandbox may use (a quota): 0.5, 1, 2. */
  cpuLimit?: number;
  /** Time limit of each run, in seconds. */
  timeout?: number;
  /** Give the sandbox a network (off by default). */
  networkEnabled?: boolean;
  /** Packages the code may use: npm (javascript, typescript), pip (python), cargo (rust), go modules, maven (java). Installed once per list. */
  packages?: string[];
  /** docker, gvisor (Docker with runsc), process (bubblewrap), or auto: docker when an engine answers. */
  isolation?: Isolation;
  /** The directory code is written to and runs in: "/workspace" (the default) or one under it ("/workspace/task"). */
  workingDir?: string;
  /**
   * Keep the toolchain warm inside the sandbox (the default): a launcher started ahead of each run, a resident
   * compiler. false: every run starts it cold.
   */
  warm?: boolean;
}

/** The fields of RuntimeConfig, for refusing the ones that are not. */
export const RUNTIME_CONFIG_KEYS = [
  "version",
  "memoryLimit",
  "cpuLimit",
  "timeout",
  "networkEnabled",
  "packages",
  "isolation",
  "workingDir",
  "warm",
] as const;

/** "256m", "1g", "512mb", "2GiB" or a number of megabytes, as whole megabytes. */
export function parseMemoryLimit(limit: string | number): number {
  const megabytes = megabytesIn(limit);
  if (megabytes === undefined) {
    throw new CodeBeakerError("INVALID_OPTION", `memoryLimit "${limit}" is not a size: write it like "256m", "1g" or 512 (megabytes)`, {
      data: { option: "memoryLimit", value: limit },
    });
  }
  return megabytes;
}

/** Seconds, as the seed gives time limits, in the protocol's milliseconds. */
export const milliseconds = (seconds: number) => Math.round(seconds * 1000);

/** workingDir as an absolute path under /workspace; refused when it would leave it. */
export function workingDirectory(dir: string): string {
  const resolved = resolveWorkspacePath(dir);
  if (!resolved.ok)
    throw new CodeBeakerError("INVALID_OPTION", `workingDir ${resolved.reason}`, { data: { option: "workingDir", value: dir } });
  return resolved.path;
}

/** A beaker's configuration as session.create's params, with its history's workspace. */
export function sessionParams(language: string, config: RuntimeConfig, workspace: string): SessionCreateParams {
  return {
    language,
    workspace,
    ...(config.version !== undefined ? { version: config.version } : {}),
    ...(config.memoryLimit !== undefined ? { memoryLimitMB: parseMemoryLimit(config.memoryLimit) } : {}),
    ...(config.cpuLimit !== undefined ? { cpuLimit: config.cpuLimit } : {}),
    ...(config.timeout !== undefined ? { timeoutMs: milliseconds(config.timeout) } : {}),
    ...(config.networkEnabled !== undefined ? { networkEnabled: config.networkEnabled } : {}),
    ...(config.packages?.length ? { packages: config.packages } : {}),
    ...(config.isolation ? { isolation: config.isolation } : {}),
    ...(config.warm !== undefined ? { warm: config.warm } : {}),
  };
}
