import { existsSync } from "node:fs";
import { mkdir, open, readFile, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { contentHash } from "../../contract/content-hash";

/**
 * Files' contents by their hash: a snapshot seen twice is stored once. A blob is written to a temporary name,
 * flushed, then renamed into place, so a crash leaves either the whole blob or none of it.
 */
export class BlobStore {
  /** Puts under way, by hash: the same content put twice at once is written once (they share a partial file's name). */
  private readonly writing = new Map<string, Promise<string>>();

  constructor(private readonly dir: string) {}

  private pathOf(hash: string): string {
    return join(this.dir, hash.slice(0, 2), hash);
  }

  put(content: Buffer): Promise<string> {
    const hash = contentHash(content);
    const path = this.pathOf(hash);
    if (existsSync(path)) return Promise.resolve(hash);
    const underWay = this.writing.get(hash);
    if (underWay) return underWay;
    const written = this.write(hash, path, content).finally(() => this.writing.delete(hash));
    this.writing.set(hash, written);
    return written;
  }

  private async write(hash: string, path: string, content: Buffer): Promise<string> {
    await mkdir(join(this.dir, hash.slice(0, 2)), { recursive: true });
    const partial = `${path}.${process.pid}.partial`;
    const file = await open(partial, "w");
    try {
      await file.writeFile(content);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(partial, path);
    return hash;
  }

  get(hash: string): Promise<Buffer> {
    return readFile(this.pathOf(hash));
  }

  /** Deletes every blob no longer referenced (after retention dropped old runs), and half-written leftovers. */
  async keepOnly(referenced: ReadonlySet<string>): Promise<number> {
    let removed = 0;
    for (const shard of await readdir(this.dir).catch(() => [])) {
      for (const name of await readdir(join(this.dir, shard)).catch(() => [])) {
        if (!referenced.has(name)) {
          await rm(join(this.dir, shard, name), { force: true });
          removed++;
        }
      }
    }
    return removed;
  }
}
