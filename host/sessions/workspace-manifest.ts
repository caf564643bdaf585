import { createHash } from "node:crypto";
import type { FileChecksum } from "../isolation/backend";

interface Written extends FileChecksum {
  /** The client's content, hashed on the host. */
  hash: string;
}

export const contentHash = (content: Buffer) => createHash("sha256").update(content).digest("base64");

/**
 * What a session's /workspace holds of what workspace.sync wrote: per path, the hash of the content the client
 * sent, and the size and checksum the runner computed as it wrote the file. A file sent again with the same hash
 * need not travel again, provided the runner finds the same size and checksum there (a program may have changed
 * or removed it since): the sync checks those in one request and sends only what differs.
 */
export class WorkspaceManifest {
  private readonly files = new Map<string, Written>();

  /** What the runner should still find at `path` for content with this hash to need no sending. */
  expected(path: string, hash: string): FileChecksum | undefined {
    const entry = this.files.get(path);
    return entry?.hash === hash ? { bytes: entry.bytes, checksum: entry.checksum } : undefined;
  }

  written(path: string, hash: string, file: FileChecksum): void {
    this.files.set(path, { hash, ...file });
  }

  /** The path is not known to hold what was sent: a failed write. */
  forget(path: string): void {
    this.files.delete(path);
  }

  /** Deleted paths, and for a directory everything under it: one pass over the manifest whatever their number. */
  deleted(paths: readonly string[]): void {
    if (!paths.length) return;
    const directories = paths.map((path) => `${path}/`);
    for (const path of paths) this.files.delete(path);
    for (const path of this.files.keys()) {
      if (directories.some((directory) => path.startsWith(directory))) this.files.delete(path);
    }
  }

  get size(): number {
    return this.files.size;
  }
}
