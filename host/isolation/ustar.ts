import { pack } from "tar-stream";

/** Every entry's modification time: the runner sets its own, and the same files make the same archive. */
const EPOCH = new Date(0);

export interface ArchiveFile {
  /** Relative to /workspace, with '/' separators. */
  name: string;
  content: Buffer;
}

/**
 * The archive a sync sends to cb-runner's untar request, made by tar-stream: POSIX ustar, regular files only, with
 * a pax 'x' header for a name ustar's fields cannot hold (too long, or not ASCII). Built in memory: a sync is in
 * memory already.
 */
export async function packArchive(files: readonly ArchiveFile[]): Promise<Buffer> {
  const archive = pack();
  for (const file of files) archive.entry({ name: file.name, type: "file", mode: 0o644, mtime: EPOCH }, file.content);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
