import { createHash } from "node:crypto";

/**
 * A file's content hash, computed the same way on every side of the workspace mirror: the extension (what
 * changed since its last sync), the host (what a session's /workspace holds) and the runner, which reports it
 * for each file it writes or checks (host/isolation/runner/sha256.c). SHA-256 in lowercase hex: it decides
 * whether a file is sent again, so two different contents must never share one.
 */
export function contentHash(content: Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}
