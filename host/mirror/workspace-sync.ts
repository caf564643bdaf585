import type { z } from "zod";
import { contentHash } from "../../contract/content-hash";
import { packArchive } from "../isolation/ustar";
import type { WorkspaceSyncParams, WorkspaceSyncResult } from "../../contract/protocol/session";
import { WORKSPACE_ROOT } from "../../contract/protocol/workspace-path";
import type { Session } from "../sessions/session";
import { WorkspaceManifest } from "./workspace-manifest";

/** One file a sync writes, its content decoded. */
export interface SyncedFile {
  path: string;
  content: Buffer;
}

/** What a sync changes: files written, then paths deleted. */
export interface WorkspaceChange {
  write: SyncedFile[];
  delete: string[];
}

/** workspace.sync's params with each file's content decoded once, for the sync and the history alike. */
export function decodeChange(params: z.output<typeof WorkspaceSyncParams>): WorkspaceChange {
  return {
    write: params.write.map((file) => ({ path: file.path, content: Buffer.from(file.content, file.encoding) })),
    delete: params.delete,
  };
}

type Write = SyncedFile & { hash: string };

const manifests = new WeakMap<Session, WorkspaceManifest>();

/**
 * Applies an editor's changes to a session's /workspace, after the commands before it: files written (their
 * parent folders made), then files deleted. A file that cannot be written is reported, not fatal. The whole
 * change travels as one archive in one runner request; a file the session's manifest says is already there,
 * unchanged, does not travel at all (one checksum request confirms it).
 */
export function syncWorkspace(session: Session, sync: WorkspaceChange): Promise<WorkspaceSyncResult> {
  return session.exclusive(async () => {
    let manifest = manifests.get(session);
    if (!manifest) manifests.set(session, (manifest = new WorkspaceManifest()));
    const result: WorkspaceSyncResult = { written: 0, deleted: 0, bytes: 0, failed: [] };
    const writes: Write[] = [];
    for (const file of sync.write) {
      // The root is a directory: refused here as the runner would refuse a write to it.
      if (file.path === WORKSPACE_ROOT) result.failed.push({ path: file.path, error: "IsADirectory" });
      else writes.push({ ...file, hash: contentHash(file.content) });
    }
    const kept = await stillThere(session, manifest, writes);
    const sent = writes.filter((write) => !kept.has(write));
    for (const write of kept) {
      result.written++;
      result.bytes += write.content.length;
    }
    if (!sent.length && !sync.delete.length) return result;

    const archive = await packArchive(sent.map((write) => ({ name: write.path.slice(WORKSPACE_ROOT.length + 1), content: write.content })));
    const outcomes = await session.sandbox.unpack(archive, sync.delete);
    for (const outcome of outcomes) {
      if (outcome.status === "written") {
        result.written++;
        result.bytes += outcome.bytes;
        // The hash of what the runner wrote: should it not be what was sent, the next sync sends the file again.
        manifest.written(outcome.path, outcome.checksum);
      } else if (outcome.status === "deleted") result.deleted++;
      else {
        result.failed.push({ path: outcome.path, error: outcome.error });
        manifest.forget(outcome.path);
      }
    }
    manifest.deleted(sync.delete);
    return result;
  });
}

/** The writes whose content the manifest and the runner agree is in /workspace already. */
async function stillThere(session: Session, manifest: WorkspaceManifest, writes: Write[]): Promise<Set<Write>> {
  const count = new Map<string, number>();
  for (const write of writes) count.set(write.path, (count.get(write.path) ?? 0) + 1);
  // A path written twice in one sync is written both times, in order, as before.
  const candidates = writes.filter((write) => count.get(write.path) === 1 && manifest.holds(write.path, write.hash));
  if (!candidates.length) return new Set();
  const found = await session.sandbox.checksums(candidates.map((write) => write.path));
  return new Set(candidates.filter((write, index) => found[index]?.checksum === write.hash));
}
