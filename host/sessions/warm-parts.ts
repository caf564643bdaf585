import { Sandbox, WarmPartError, WarmPartKind } from "../isolation/backend";
import type { Logger } from "../log";
import type { SessionConfig } from "../../contract/protocol/session";
import { BUILD_DIR, expandWarmPart, permissionFlags } from "../runtimes/command-line";
import type { Runtime } from "../../contract/runtimes/manifest";

/** The command line of each warm part a session keeps (docs/WARM.md). */
export type WarmDefinitions = Partial<Record<WarmPartKind, string[]>>;

/**
 * What a session keeps warm: the runtime's parts that its sandbox can run, with the session's permission flags in
 * their command lines; none for `warm: false`. A part serves only the runtime's own command line: a session that
 * replaces the run (or compile) line with its own runs that stage cold.
 */
export function warmDefinitions(runtime: Runtime, config: SessionConfig, sandbox: Pick<Sandbox, "warmParts">): WarmDefinitions {
  const parts = sandbox.warmParts;
  if (!config.warm || !parts) return {};
  const flags = permissionFlags(runtime.manifest.permissions, config.permissions);
  const definitions: WarmDefinitions = {};
  if (parts.compiler && config.commands?.compile === undefined) definitions.compiler = expandWarmPart(parts.compiler, flags);
  if (parts.launcher && config.commands?.run === undefined) definitions.launcher = expandWarmPart(parts.launcher, flags);
  return definitions;
}

/**
 * Starts a ready sandbox's warm parts, before it serves a session (a spare of the warm pool too). A part that
 * cannot start is logged, and the stages it would serve run cold.
 */
export async function startWarmParts(sandbox: Sandbox, definitions: WarmDefinitions, log: Logger): Promise<void> {
  for (const kind of ["compiler", "launcher"] as const) {
    const argv = definitions[kind];
    if (!argv) continue;
    try {
      await sandbox.defineWarmPart(kind, asStarted(argv));
    } catch (error) {
      if (!(error instanceof WarmPartError)) throw error;
      log.warn(`${sandbox.id.slice(0, 12)}: ${error.message}; its stages run cold`);
    }
  }
}

/**
 * A session's warm parts as its runner holds them, and the part a stage asks for: undefined runs it cold. A launcher
 * whose command line would now differ from the one started (another permission) is defined again, and this stage is
 * cold: the new one serves the next.
 */
export class SessionWarmParts {
  constructor(
    private readonly sandbox: Sandbox,
    private started: WarmDefinitions,
  ) {}

  async forStage(kind: WarmPartKind, wanted: WarmDefinitions): Promise<WarmPartKind | undefined> {
    const argv = wanted[kind];
    if (!argv) return undefined;
    if (sameLine(this.started[kind], argv)) return kind;
    this.started = { ...this.started, [kind]: argv };
    await this.sandbox.defineWarmPart(kind, asStarted(argv)).catch((error: unknown) => {
      if (!(error instanceof WarmPartError)) throw error;
    });
    return undefined;
  }
}

/** A part's definition: `{build}`, which its command line may name, exists when it starts, as for a compile. */
const asStarted = (argv: string[]) => ({ argv, makeDirectories: [BUILD_DIR] });

const sameLine = (a: readonly string[] | undefined, b: readonly string[]) =>
  !!a && a.length === b.length && a.every((arg, i) => arg === b[i]);
