import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { chmod, mkdir, rename } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { packageRoot } from "../../../contract/package-root";
import { cacheDirectory } from "../docker/fetch-file";
import { IsolationUnavailableError } from "../backend";

const run = promisify(execFile);
const COMPILERS = ["cc", "gcc", "clang"];

let building: Promise<string> | undefined;

/**
 * cb-runner compiled for this machine, as a static binary, once per version of its source: the process
 * backend has no image to carry it. Kept where the sandbox's unprivileged user can read it.
 */
export function runnerBinary(): Promise<string> {
  building ??= build().catch((error) => {
    building = undefined;
    throw error;
  });
  return building;
}

async function build(): Promise<string> {
  const sources = join(packageRoot(), "host", "isolation", "runner");
  const files = readdirSync(sources)
    .filter((name) => /\.[ch]$/.test(name))
    .sort();
  const hash = createHash("sha256");
  for (const name of files) hash.update(name).update(readFileSync(join(sources, name)));
  const digest = hash.digest("hex").slice(0, 16);
  // As root, the sandbox runs as another user who cannot enter /root: keep the binary in /var/cache.
  const base = process.getuid?.() === 0 ? "/var/cache/codebeaker" : cacheDirectory();
  const directory = join(base, "runner", digest);
  const binary = join(directory, "cb-runner");
  if (existsSync(binary)) return binary;

  await mkdir(directory, { recursive: true, mode: 0o755 });
  for (let dir = directory; dir.startsWith(base) && dir !== base; dir = join(dir, "..")) await chmod(dir, 0o755);
  await chmod(base, 0o755);
  const partial = `${binary}.${process.pid}`;
  const sourcesToCompile = files.filter((name) => name.endsWith(".c")).map((name) => join(sources, name));
  const failures: string[] = [];
  for (const compiler of COMPILERS) {
    try {
      await run(compiler, ["-std=gnu11", "-O2", "-static", "-o", partial, ...sourcesToCompile]);
      await chmod(partial, 0o755);
      await rename(partial, binary);
      return binary;
    } catch (error) {
      failures.push(`${compiler}: ${((error as { stderr?: string }).stderr || (error as Error).message).trim().split("\n")[0]}`);
    }
  }
  throw new IsolationUnavailableError(
    "process",
    `process isolation needs a C compiler with static libc to build its runner once (apt-get install gcc libc6-dev); ${failures.join("; ")}`,
  );
}
