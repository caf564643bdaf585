import type { WorkspaceSyncParams, WorkspaceSyncResult } from "../../contract/protocol/session";
import type { MirroredFile } from "./workspace-files";

/** What a sync sends: the files that changed since the last one, and the files that are gone. */
export interface MirrorChanges {
  write: MirroredFile[];
  delete: string[];
}

/**
 * What one session's /workspace holds of a folder, as far as this window has sent it: the hash of each file.
 * A sync sends only what changed (new or edited files, deletions), so its cost follows the size of the change.
 */
export class SessionMirror {
  private readonly sent = new Map<string, string>();

  changes(files: readonly MirroredFile[]): MirrorChanges {
    const now = new Set(files.map((file) => file.path));
    return {
      write: files.filter((file) => this.sent.get(file.path) !== file.hash),
      delete: [...this.sent.keys()].filter((path) => !now.has(path)),
    };
  }

  /** The sync request for changes (paths under /workspace). */
  request(sessionId: string, changes: MirrorChanges): WorkspaceSyncParams {
    return {
      sessionId,
      write: changes.write.map((file) => ({ path: file.path, content: file.content.toString("base64"), encoding: "base64" })),
      delete: changes.delete,
    };
  }

  /** Records what the host confirmed; a file it could not write will be sent again next time. */
  confirm(changes: MirrorChanges, result: WorkspaceSyncResult): void {
    const failed = new Set(result.failed.map((failure) => failure.path.replace(/^\/workspace\//, "")));
    for (const path of changes.delete) if (!failed.has(path)) this.sent.delete(path);
    for (const file of changes.write) {
      if (failed.has(file.path)) this.sent.delete(file.path);
      else this.sent.set(file.path, file.hash);
    }
  }
}
