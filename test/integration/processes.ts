import { ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export const HOST_BUNDLE = join(__dirname, "..", "..", "dist", "host.js");

/** The bundled host, as users start it; `npm test` builds it first. */
export function spawnHost(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  if (!existsSync(HOST_BUNDLE)) throw new Error(`${HOST_BUNDLE} is missing: run npm run build`);
  return spawn(process.execPath, [HOST_BUNDLE, ...args], {
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, ...options.env },
  });
}

/** Starts `codebeaker serve` on a free port and resolves with its ws:// URL once it listens. */
export async function startServer(extraArgs: string[] = []): Promise<{ url: string; child: ChildProcess; stderr: () => string }> {
  const child = spawnHost(["serve", "--port", "0", ...extraArgs]);
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    child.stdout!.on("data", (chunk) => {
      stdout += chunk;
      const match = /listening on (ws:\/\/\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`codebeaker serve exited with ${code}: ${stderr}`)));
  });
  return { url, child, stderr: () => stderr };
}

/** Stops a host process the way a user would (SIGTERM) and waits for it to finish cleaning up. */
export async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  return exited;
}

/** Everything a process wrote and its exit code, once it ends. */
export function finished(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => (stdout += chunk));
  child.stderr?.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}

/** Resolves when the process has printed `text` on stdout; fails, with what it said on stderr, if it ends first. */
export function waitForOutput(child: ChildProcess, text: string): Promise<void> {
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk) => {
      stdout += chunk;
      if (stdout.includes(text)) resolve();
    });
    child.once("exit", (code, signal) =>
      reject(new Error(`the process ended (${signal ?? code}) before printing ${JSON.stringify(text)}: ${stderr}`)),
    );
  });
}
