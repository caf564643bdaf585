import { posix } from "node:path";

/** Where a session's files live inside the sandbox. Every path of the API resolves under it. */
export const WORKSPACE_ROOT = "/workspace";

export type ResolvedPath = { ok: true; path: string } | { ok: false; reason: string };

/**
 * Resolves a path of the API (absolute, or relative to /workspace) lexically and refuses anything that
 * would leave /workspace. Symbolic links are refused inside the sandbox, where they can be seen.
 */
export function resolveWorkspacePath(input: string): ResolvedPath {
  if (input.length === 0) return { ok: false, reason: "is empty" };
  if (input.includes("\0")) return { ok: false, reason: "contains a NUL character" };
  const absolute = posix.normalize(input.startsWith("/") ? input : posix.join(WORKSPACE_ROOT, input));
  const path = absolute.length > 1 && absolute.endsWith("/") ? absolute.slice(0, -1) : absolute;
  if (path !== WORKSPACE_ROOT && !path.startsWith(WORKSPACE_ROOT + "/")) {
    return { ok: false, reason: `${JSON.stringify(input)} resolves to ${path}, outside ${WORKSPACE_ROOT}` };
  }
  return { ok: true, path };
}
