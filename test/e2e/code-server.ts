import type { ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { freePort } from "./free-port";
import { runLogged, startLogged, stopProcessGroup } from "./processes";
import type { Toolchain } from "./toolchain";

/** The folders one code-server run owns; all fresh, under one temporary directory. */
export interface CodeServerDirs {
  extensions: string;
  userData: string;
  /** code-server's own config and logs (XDG_CONFIG_HOME, XDG_DATA_HOME), kept out of $HOME. */
  state: string;
}

export function codeServerDirs(root: string): CodeServerDirs {
  const dirs = { extensions: join(root, "extensions"), userData: join(root, "user-data"), state: join(root, "state") };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  return dirs;
}

export async function installExtension(toolchain: Toolchain, dirs: CodeServerDirs, vsix: string, logFile: string) {
  await runLogged(toolchain.node, [toolchain.codeServer, ...commonArgs(dirs), "--install-extension", vsix, "--force"], {
    env: codeServerEnv(toolchain, dirs),
    logFile,
  });
}

export interface CodeServer {
  url: string;
  /** Stops code-server and every process it started (extension host, terminals, watchers). */
  stop(): Promise<void>;
}

/** Starts code-server on a free loopback port serving `folder`; resolves once it answers HTTP. */
export async function startCodeServer(toolchain: Toolchain, dirs: CodeServerDirs, folder: string, logFile: string): Promise<CodeServer> {
  const port = await freePort();
  const child = await startLogged(
    toolchain.node,
    [
      toolchain.codeServer,
      ...commonArgs(dirs),
      "--auth",
      "none",
      "--bind-addr",
      `127.0.0.1:${port}`,
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-getting-started-override",
      folder,
    ],
    { env: codeServerEnv(toolchain, dirs), logFile },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(url, child, logFile);
  } catch (error) {
    await stopProcessGroup(child);
    throw error;
  }
  return { url, stop: () => stopProcessGroup(child) };
}

function commonArgs(dirs: CodeServerDirs): string[] {
  const config = join(dirs.state, "config.yaml");
  writeFileSync(config, "auth: none\n");
  return ["--config", config, "--extensions-dir", dirs.extensions, "--user-data-dir", dirs.userData];
}

/** This process's environment, minus the test runner's, with Node 24 first on PATH and code-server kept local. */
function codeServerEnv(toolchain: Toolchain, dirs: CodeServerDirs): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("VITEST") && name !== "NODE_OPTIONS" && name !== "NODE_ENV") env[name] = value;
  }
  env.PATH = `${dirname(toolchain.node)}:${process.env.PATH ?? ""}`;
  // No extension gallery: nothing to update or recommend, and no request leaves the machine.
  env.EXTENSIONS_GALLERY = "{}";
  env.XDG_CONFIG_HOME = join(dirs.state, "config");
  env.XDG_DATA_HOME = join(dirs.state, "data");
  return env;
}

/** Polls code-server's health endpoint until it answers; fails at once if code-server ends first. */
async function waitUntilAnswering(url: string, child: ChildProcess, logFile: string, timeoutMs = 60_000) {
  let ended: string | undefined;
  child.once("exit", (code, signal) => (ended = signal ?? `exit ${code}`));
  const deadline = Date.now() + timeoutMs;
  let lastAnswer: string;
  for (;;) {
    if (ended) throw new Error(`code-server ended (${ended}) before answering: see ${logFile}`);
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      lastAnswer = `HTTP ${response.status}`;
    } catch (error) {
      lastAnswer = String((error as Error).cause ?? error);
    }
    if (Date.now() > deadline) {
      throw new Error(`code-server did not answer on ${url} within ${timeoutMs} ms (last: ${lastAnswer}): see ${logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
