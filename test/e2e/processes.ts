import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { once } from "node:events";

/** A command that runs to its end, its output appended to `logFile`; rejects with the log's path on failure. */
export async function runLogged(command: string, args: string[], options: { env: NodeJS.ProcessEnv; logFile: string; cwd?: string }) {
  const log = createWriteStream(options.logFile, { flags: "a" });
  await once(log, "open");
  log.write(`$ ${command} ${args.join(" ")}\n`);
  const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ["ignore", log, log] });
  const [code, signal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
  log.end();
  if (code !== 0) {
    throw new Error(`${command} ${args.join(" ")} ended with ${signal ?? `exit ${code}`}: see ${options.logFile}`);
  }
}

/** Starts a long-running command as the leader of its own process group, so it can be stopped with its children. */
export async function startLogged(command: string, args: string[], options: { env: NodeJS.ProcessEnv; logFile: string }) {
  const log = createWriteStream(options.logFile, { flags: "a" });
  await once(log, "open");
  log.write(`$ ${command} ${args.join(" ")}\n`);
  return spawn(command, args, { env: options.env, stdio: ["ignore", log, log], detached: true });
}

/** SIGTERM to the whole group, SIGKILL to what is left after `graceMs`; resolves when no process of it is left. */
export async function stopProcessGroup(child: ChildProcess, graceMs = 10_000): Promise<void> {
  const group = child.pid;
  if (group === undefined) return;
  signalGroup(group, "SIGTERM");
  const killAt = Date.now() + graceMs;
  const giveUpAt = killAt + 5_000;
  while (groupAlive(group)) {
    if (Date.now() > giveUpAt) throw new Error(`process group ${group} survived SIGKILL`);
    if (Date.now() > killAt) signalGroup(group, "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function signalGroup(group: number, signal: NodeJS.Signals) {
  try {
    process.kill(-group, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

function groupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}
