import type { Isolation, SessionCreateParams } from "../host/protocol/session";
import type { RunSettings } from "./configuration";

/** Isolation that Restricted Mode allows: a container. */
const CONTAINERS: Isolation[] = ["docker", "gvisor"];

/**
 * The session a run needs. In Restricted Mode (an untrusted workspace) only a container will do: VS Code already
 * ignores the workspace's values of the restricted settings; this also keeps `auto` and `process` out.
 */
export function sessionParams(language: string, settings: RunSettings, trusted: boolean): SessionCreateParams {
  const override = settings.languages[language] ?? {};
  const commands = override.compile !== undefined || override.run ? { compile: override.compile, run: override.run } : undefined;
  return {
    language,
    ...(override.version ? { version: override.version } : {}),
    memoryLimitMB: Math.round(settings.memoryMb),
    cpuLimit: settings.cpus,
    timeoutMs: settings.timeoutMs,
    networkEnabled: settings.network,
    warm: settings.warm,
    isolation: trusted || CONTAINERS.includes(settings.isolation) ? settings.isolation : "docker",
    ...(override.image ? { dockerImage: override.image } : {}),
    ...(commands ? { commands } : {}),
  };
}
