import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import * as tar from "tar-stream";

export interface ContextFile {
  name: string;
  content: Buffer;
  mode?: number;
}

/** A docker build context as a tar stream. Fixed timestamps: the same files give the same bytes. */
export function packContext(files: readonly ContextFile[]): Readable {
  const pack = tar.pack();
  for (const file of files) {
    pack.entry({ name: file.name, mode: file.mode ?? 0o644, mtime: new Date(0), uid: 0, gid: 0 }, file.content);
  }
  pack.finalize();
  return Readable.from(pack); // tar-stream's streams are streamx ones; dockerode pipes a Node stream
}

/** A short hash of everything that goes into an image, so a changed recipe gets a new tag. */
export function contextHash(files: readonly ContextFile[], extra: readonly string[] = []): string {
  const hash = createHash("sha256");
  for (const file of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
    hash.update(`${file.name}\0${file.mode ?? 0o644}\0${file.content.length}\0`).update(file.content);
  }
  for (const item of extra) hash.update(`\0${item}`);
  return hash.digest("hex").slice(0, 16);
}
