import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { chmod, copyFile, mkdir, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { warmFiles } from "../../runtimes/warm-folder";
import { cacheDirectory } from "../docker/fetch-file";

const copying = new Map<string, Promise<string>>();

/**
 * A language's warm folder, copied once per content where a process sandbox's own user can read it (as root, the
 * sandbox runs as another user, who cannot enter /root where the extension may live), as its runner binary is.
 */
export function warmFolderCopy(folder: string): Promise<string> {
  const files = warmFiles(folder);
  const hash = createHash("sha256");
  for (const file of files) hash.update(`${file.path}\0${file.executable}\0`).update(readFileSync(join(folder, file.path)));
  const digest = hash.digest("hex").slice(0, 16);
  let copy = copying.get(digest);
  if (!copy) {
    copy = copyOnce(folder, files, digest);
    copying.set(digest, copy);
    copy.catch(() => copying.delete(digest));
  }
  return copy;
}

async function copyOnce(folder: string, files: ReturnType<typeof warmFiles>, digest: string): Promise<string> {
  const base = process.getuid?.() === 0 ? "/var/cache/codebeaker" : cacheDirectory();
  const target = join(base, "warm", digest);
  if (existsSync(target)) return target;
  const partial = `${target}.${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  for (const file of files) {
    const destination = join(partial, file.path);
    await mkdir(dirname(destination), { recursive: true, mode: 0o755 });
    await copyFile(join(folder, file.path), destination);
    await chmod(destination, file.executable ? 0o755 : 0o644);
  }
  await mkdir(partial, { recursive: true, mode: 0o755 });
  for (let dir = dirname(target); dir.startsWith(base); dir = dirname(dir)) await chmod(dir, 0o755);
  await chmod(partial, 0o755);
  await rename(partial, target).catch(async (error: NodeJS.ErrnoException) => {
    // Another host copied the same content meanwhile: theirs serves as well.
    if (!existsSync(target)) throw error;
    await rm(partial, { recursive: true, force: true });
  });
  return target;
}
