/** The CodeBeaker host as a child process (node dist/host.js …), as a client would run it. */
import { ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { RuntimeRegistry } from "../contract/runtimes/registry";

const ROOT = join(__dirname, "..");
const HOST_JS = join(ROOT, "dist", "host.js");
const STARTUP_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

/**
 * `node dist/host.js images LANG@VERSION...` for each language's default version (the one a session gets when it
 * names none): builds what is missing, prints `language@version<TAB>image<TAB>seconds`. The images by language.
 */
export function runtimeImages(languages: string[]): Promise<Map<string, string>> {
  const registry = RuntimeRegistry.builtIn();
  const wanted = new Map(languages.map((language) => [`${language}@${registry.find(language)!.manifest.version}`, language]));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HOST_JS, "images", ...wanted.keys()], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`codebeaker images exited with ${code}:\n${stderr}`));
      const images = new Map<string, string>();
      for (const line of stdout.split("\n")) {
        const [named, image] = line.split("\t");
        const language = named && wanted.get(named);
        if (language && image) images.set(language, image);
      }
      const missing = languages.filter((language) => !images.has(language));
      if (missing.length) return reject(new Error(`codebeaker images printed no image for ${missing.join(", ")}:\n${stdout}`));
      resolve(images);
    });
  });
}

/** `node dist/host.js serve --port 0`, started and stopped (SIGTERM) by the bench. */
export class HostProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    /** What the host logged on stderr, line by line (it keeps growing). */
    readonly log: string[],
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  /** `onChild` gets the process at once, so that it can be stopped even if it never says where it listens. */
  static start(onChild: (child: ChildProcess) => void, args: string[] = []): Promise<HostProcess> {
    const child = spawn(process.execPath, [HOST_JS, "serve", "--port", "0", ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    onChild(child);
    const log: string[] = [];
    createInterface({ input: child.stderr! }).on("line", (line) => log.push(line));
    return new Promise((resolve, reject) => {
      const fail = (reason: string) => {
        clearTimeout(timer);
        reject(new Error(`the host did not start: ${reason}\n${log.join("\n")}`));
      };
      const timer = setTimeout(() => fail(`no "listening on" line within ${STARTUP_TIMEOUT_MS / 1000} s`), STARTUP_TIMEOUT_MS);
      child.once("error", (error) => fail(error.message));
      child.once("exit", (code, signal) => fail(`it exited with ${code ?? signal}`));
      createInterface({ input: child.stdout! }).on("line", (line) => {
        const url = /listening on (ws:\/\/\S+)/.exec(line)?.[1];
        if (!url) return;
        clearTimeout(timer);
        resolve(new HostProcess(child, url, log));
      });
    });
  }

  /** SIGTERM (the host then closes its sessions), SIGKILL if it has not exited in time. */
  stop(): Promise<number | string> {
    return stopChild(this.child);
  }
}

/** SIGTERM, then SIGKILL if it has not exited in time. Resolves to its exit code or signal. */
export function stopChild(child: ChildProcess): Promise<number | string> {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  return exitOf(child).finally(() => clearTimeout(timer));
}

function exitOf(child: ChildProcess): Promise<number | string> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode ?? child.signalCode!);
    else child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
}
