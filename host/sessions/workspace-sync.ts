import type { z } from "zod";
import type { FileChecksum } from "../isolation/backend";
import { packArchive } from "../isolation/ustar";
import type { WorkspaceSyncParams, WorkspaceSyncResult } from "../../contract/protocol/session";
import { WORKSPACE_ROOT } from "../../contract/protocol/workspace-path";
import type { Session } from "./session";
import { contentHash, WorkspaceManifest } from "./workspace-manifest";

type Sync = z.output<typeof WorkspaceSyncParams>;

interface Write {
  path: string;
  content: Buffer;
  hash: string;
}

const manifests = new WeakMap<Session, WorkspaceManifest>();

/**
 * Applies an editor's changes to a session's /workspace, after the commands before it: files written (their
 * parent folders made), then files deleted. A file that cannot be written is reported, not fatal. The whole
 * change travels as one archive in one runner request; a file the session's manifest says is already there,
 * unchanged, does not travel at all (one checksum request confirms it).
 */
export function syncWorkspace(session: Session, sync: Sync): Promise<WorkspaceSyncResult> {
  return session.exclusive(async () => {
    let manifest = manifests.get(session);
    if (!manifest) manifests.set(session, (manifest = new WorkspaceManifest()));
    const result: WorkspaceSyncResult = { written: 0, deleted: 0, bytes: 0, failed: [] };
    const writes: Write[] = [];
    for (const file of sync.write) {
      // The root is a directory: refused here as the runner would refuse a write to it.
      if (file.path === WORKSPACE_ROOT) result.failed.push({ path: file.path, error: "IsADirectory" });
      else {
        const content = Buffer.from(file.content, file.encoding);
        writes.push({ path: file.path, content, hash: contentHash(content) });
      }
    }
    const kept = await stillThere(session, manifest, writes);
    const sent = writes.filter((write) => !kept.has(write));
    for (const write of kept) {
      result.written++;
      result.bytes += write.content.length;
    }
    if (!sent.length && !sync.delete.length) return result;

    const archive = packArchive(sent.map((write) => ({ name: write.path.slice(WORKSPACE_ROOT.length + 1), content: write.content })));
    const outcomes = await session.sandbox.unpack(archive, sync.delete);
    const hashes = new Map(sent.map((write) => [write.path, write.hash]));
    for (const outcome of outcomes) {
      if (outcome.status === "written") {
        result.written++;
        result.bytes += outcome.bytes;
        manifest.written(outcome.path, hashes.get(outcome.path)!, outcome);
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
  const candidates = writes.flatMap((write) => {
    const expected = count.get(write.path) === 1 ? manifest.expected(write.path, write.hash) : undefined;
    return expected ? [{ write, expected }] : [];
  });
  if (!candidates.length) return new Set();
  const found = await session.sandbox.checksums(candidates.map((candidate) => candidate.write.path));
  const same = (a: FileChecksum | null | undefined, b: FileChecksum) => a?.bytes === b.bytes && a.checksum === b.checksum;
  return new Set(candidates.filter((candidate, index) => same(found[index], candidate.expected)).map((candidate) => candidate.write));
}
