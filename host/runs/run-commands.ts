import { posix } from "node:path";
import type { SourceFiles } from "../diagnostics";
import { SandboxFileError } from "../isolation/backend";
import type { CommandOf } from "../../contract/protocol/commands";
import type { ExecuteShellResult } from "../../contract/protocol/command-results";
import { withoutFinalLineBreak } from "../../contract/protocol/run-reading";
import type { SessionExecuteResult } from "../../contract/protocol/session";
import { WORKSPACE_ROOT } from "../../contract/protocol/workspace-path";
import { BUILD_DIR, expandCommand, permissionFlags, SourceFile } from "../runtimes/command-line";
import { entryFileName } from "../../contract/runtimes/entry-file";
import type { Session } from "../sessions/session";
import { diagnose, envelope, RunOptions, runStage, StageRun } from "./stages";

export type { RunOptions } from "./stages";

export async function executeShell(
  session: Session,
  command: CommandOf<"execute_shell">,
  options: RunOptions,
  startedAt: number,
): Promise<SessionExecuteResult> {
  const run = await runStage(
    session,
    "run",
    {
      argv: [command.commandName, ...command.args],
      cwd: command.workingDirectory,
      env: command.env,
      timeoutMs: command.timeoutMs ?? session.limits.timeoutMs,
      stdin: command.stdin,
    },
    options,
  );
  const result: ExecuteShellResult = {
    exitCode: run.stage.exitCode,
    stdout: run.stage.stdout,
    stderr: run.stage.stderr,
    durationMs: Math.round(run.stage.wallMs),
  };
  return envelope(result, [run], startedAt, diagnose(session, [run], {}));
}

/** The guide's execute_code: the code is written to the runtime's entry file, then compiled and run. */
export async function executeCode(
  session: Session,
  command: CommandOf<"execute_code">,
  options: RunOptions,
  startedAt: number,
): Promise<SessionExecuteResult> {
  const path = posix.join(WORKSPACE_ROOT, command.fileName ?? entryFileName(session.runtime.manifest, command.code));
  // The code travels with the first stage's request, not in a request of its own: one round trip fewer per run.
  const code = { path, content: Buffer.from(command.code, "utf8") };
  const sources = { [posix.relative(WORKSPACE_ROOT, path)]: command.code };
  const answer = await runSource(session, { path }, command, options, startedAt, async () => sources, code);
  // The guide's execute_code answers with the program's output, as it would read on a terminal.
  return { ...answer, result: answer.stages?.run ? withoutFinalLineBreak(answer.stdout) : null };
}

/** A file already in /workspace (mirrored from an editor), compiled and run where it is. */
export async function runFile(
  session: Session,
  command: CommandOf<"run_file">,
  options: RunOptions,
  startedAt: number,
): Promise<SessionExecuteResult> {
  const entries = await session.sandbox.list(posix.dirname(command.path));
  const entry = entries.find((candidate) => candidate.name === posix.basename(command.path));
  if (!entry) throw new SandboxFileError("NotFound", command.path);
  if (entry.type !== "file") {
    const code = entry.type === "symlink" ? "Symlink" : entry.type === "directory" ? "IsADirectory" : "NotARegularFile";
    throw new SandboxFileError(code, command.path);
  }
  // The file's text sharpens the diagnostics' columns; it is read only when something failed.
  const readSources = async (): Promise<SourceFiles> => ({
    [posix.relative(WORKSPACE_ROOT, command.path)]: (
      options.fileContent ?? (await session.sandbox.readFile(command.path, 1 << 20))
    ).toString("utf8"),
  });
  const answer = await runSource(session, { path: command.path }, command, options, startedAt, readSources);
  return { ...answer, result: answer.stages?.run ? withoutFinalLineBreak(answer.stdout) : null };
}

/**
 * Compile (when the runtime has a compile step) and run one source file; its directory is the working one.
 * `written` is a file the first stage writes before it starts (execute_code's code).
 */
async function runSource(
  session: Session,
  source: SourceFile,
  command: { stdin?: string; timeoutMs?: number },
  options: RunOptions,
  startedAt: number,
  sources: () => Promise<SourceFiles>,
  written?: { path: string; content: Buffer },
): Promise<SessionExecuteResult> {
  const program = await programOf(session, source, written?.path);
  const files = written ? [written] : undefined;
  const done = async (stages: StageRun[]) => {
    const failed = stages.some((stage) => stage.stage.status !== "Success");
    const compiled = stages.some((stage) => stage.kind === "compile");
    return envelope(null, stages, startedAt, diagnose(session, stages, failed || compiled ? await sources() : {}));
  };

  let compile: StageRun | undefined;
  if (program.compile) {
    compile = await compileStage(session, program, { observer: options.observer, onStage: options.onStage }, files);
    if (compile.stage.status !== "Success") return done([compile]);
  }
  const run = await runStage(
    session,
    "run",
    {
      argv: program.run,
      cwd: program.cwd,
      timeoutMs: command.timeoutMs ?? session.limits.timeoutMs,
      files: compile ? undefined : files,
      stdin: command.stdin,
      warm: "launcher",
    },
    options,
  );
  return done(compile ? [compile, run] : [run]);
}

/** A source file's program: its compile step (when the runtime has one) and run step, expanded, and its directory. */
export interface Program {
  cwd: string;
  compile?: string[];
  run: string[];
}

/** `pending` is a file the first stage will write before it starts (execute_code's code). */
export async function programOf(session: Session, source: SourceFile, pending?: string): Promise<Program> {
  const { manifest } = session.runtime;
  const commands = { compile: compileLine(session), run: manifest.run, ...session.config.commands };
  const siblings = await sourcesBeside(session, source, [commands.compile ?? [], commands.run], pending);
  const granted = permissionFlags(manifest.permissions, session.config.permissions);
  return {
    cwd: posix.dirname(source.path),
    compile: commands.compile ? expandCommand(commands.compile, source, { sources: siblings }) : undefined,
    run: expandCommand(commands.run, source, { permissions: granted, sources: siblings }),
  };
}

/**
 * The runtime's compile line: its warm one (`warm.compile`, docs/WARM.md) in a session that keeps warm parts, where
 * the sandbox has them, else its own.
 */
function compileLine(session: Session): string[] | undefined {
  const { manifest } = session.runtime;
  const warm = session.config.warm && session.config.commands?.compile === undefined ? session.sandbox.warmParts?.compile : undefined;
  return manifest.compile && warm ? warm : manifest.compile;
}

/** The program's compile stage, under the compile time limit; `files` are written before it starts. */
export function compileStage(
  session: Session,
  program: Program,
  options: RunOptions,
  files?: Array<{ path: string; content: Buffer }>,
): Promise<StageRun> {
  return runStage(
    session,
    "compile",
    {
      argv: program.compile!,
      cwd: program.cwd,
      timeoutMs: session.limits.compileTimeoutMs,
      makeDirectories: [BUILD_DIR],
      files,
      stdin: "",
      warm: "compiler",
    },
    options,
  );
}

/**
 * The runtime's source files in the file's directory, for `{sources}`: only looked up when a command uses it.
 * `pending` is a file the stage will write before it starts, counted as there already.
 */
async function sourcesBeside(session: Session, source: SourceFile, commands: string[][], pending?: string): Promise<string[]> {
  if (!commands.some((command) => command.includes("{sources}"))) return [];
  const { extensions, sourceExclude } = session.runtime.manifest;
  const exclude = sourceExclude ? new RegExp(sourceExclude) : undefined;
  const dir = posix.dirname(source.path);
  const names = (await session.sandbox.list(dir)).filter((entry) => entry.type === "file").map((entry) => entry.name);
  if (pending && posix.dirname(pending) === dir) names.push(posix.basename(pending));
  return [...new Set(names)]
    .filter((name) => extensions.includes(posix.extname(name)) && !exclude?.test(name))
    .map((name) => posix.join(dir, name))
    .sort();
}
