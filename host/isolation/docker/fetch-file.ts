import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import * as tar from "tar-stream";

export interface FileToFetch {
  url: string;
  integrity: string;
  extract?: string;
}

export function cacheDirectory(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "codebeaker");
}

/** Checks bytes against a subresource-integrity string (`sha512-<base64>`). */
export function matchesIntegrity(bytes: Buffer, integrity: string): boolean {
  const dash = integrity.indexOf("-");
  const algorithm = integrity.slice(0, dash);
  return createHash(algorithm).update(bytes).digest("base64") === integrity.slice(dash + 1);
}

/**
 * Downloads a file for an image's build context, once: it is kept in the cache under its integrity hash and
 * checked each time it is read. Downloading here, not inside `docker build`, means the build needs no network
 * and uses this machine's certificate store (proxies that re-sign TLS included).
 */
export async function fetchFile(file: FileToFetch, directory = join(cacheDirectory(), "downloads")): Promise<Buffer> {
  const cached = join(directory, createHash("sha256").update(file.integrity).digest("hex"));
  let bytes: Buffer | undefined;
  if (existsSync(cached)) {
    bytes = await readFile(cached);
    if (!matchesIntegrity(bytes, file.integrity)) bytes = undefined;
  }
  if (!bytes) {
    const response = await fetch(file.url);
    if (!response.ok) throw new Error(`downloading ${file.url} failed: HTTP ${response.status}`);
    bytes = Buffer.from(await response.arrayBuffer());
    if (!matchesIntegrity(bytes, file.integrity)) {
      throw new Error(`${file.url} does not match its integrity ${file.integrity}: refusing it`);
    }
    await mkdir(directory, { recursive: true });
    await writeFile(`${cached}.partial`, bytes);
    await rename(`${cached}.partial`, cached);
  }
  return file.extract ? extractFromTarball(bytes, file.extract, file.url) : bytes;
}

async function extractFromTarball(tgz: Buffer, member: string, source: string): Promise<Buffer> {
  const extract = tar.extract();
  let found: Buffer | undefined;
  extract.on("entry", (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk) => {
      if (header.name === member) chunks.push(chunk as Buffer);
    });
    stream.on("end", () => {
      if (header.name === member) found = Buffer.concat(chunks);
      next();
    });
    stream.resume();
  });
  await pipeline(Readable.from([tgz]), createGunzip(), extract);
  if (!found) throw new Error(`${source} has no ${member}`);
  return found;
}
