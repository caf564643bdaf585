/**
 * What a session's /workspace holds of what workspace.sync wrote: per path, the content hash the runner reported
 * as it wrote the file (contract/content-hash.ts, the hash the client's content has on every side). A file sent
 * again with the same hash need not travel again, provided the runner still finds that hash there (a program
 * may have changed or removed it since): the sync checks those in one request and sends only what differs.
 */
export class WorkspaceManifest {
  private readonly files = new Map<string, string>();

  /** Whether `path` was last written with content of this hash: worth asking the runner before sending it. */
  holds(path: string, hash: string): boolean {
    return this.files.get(path) === hash;
  }

  written(path: string, hash: string): void {
    this.files.set(path, hash);
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
