import { SandboxFileError } from "../isolation/backend";
import type { z } from "zod";
import type { WorkspaceSyncParams, WorkspaceSyncResult } from "../protocol/session";
import type { Session } from "./session";

type Sync = z.output<typeof WorkspaceSyncParams>;

/**
 * Applies an editor's changes to a session's /workspace, after the commands before it: files written (their
 * parent folders made), then files deleted. A file that cannot be written is reported, not fatal.
 */
export function syncWorkspace(session: Session, sync: Sync): Promise<WorkspaceSyncResult> {
  return session.exclusive(async () => {
    const failed: WorkspaceSyncResult["failed"] = [];
    let written = 0;
    let deleted = 0;
    let bytes = 0;
    const attempt = async (path: string, work: () => Promise<void>) => {
      try {
        await work();
      } catch (error) {
        if (!(error instanceof SandboxFileError)) throw error;
        failed.push({ path, error: error.code });
      }
    };
    for (const file of sync.write) {
      await attempt(file.path, async () => {
        bytes += await session.sandbox.writeFile(file.path, Buffer.from(file.content, file.encoding), "create");
        written++;
      });
    }
    for (const path of sync.delete) {
      await attempt(path, async () => {
        await session.sandbox.remove(path).catch((error) => {
          if (!(error instanceof SandboxFileError && error.code === "NotFound")) throw error; // gone already
        });
        deleted++;
      });
    }
    return { written, deleted, bytes, failed };
  });
}
