import { posix } from "node:path";
import { WORKSPACE_ROOT } from "../../contract/protocol/workspace-path";

/**
 * The path relative to /workspace of a file a tool named (`/workspace/x`, `file:///workspace/x`, `./x` or `x`),
 * or null when the file is outside it: the standard library, `node:internal/…`, `<anonymous>`. A relative path is
 * the tool's, from `cwd`, the directory it ran in: go, tsc, mcs and Java's stack frames print `main.go`,
 * `./main.go` or `Main.java` for a file in /workspace/app when they ran there.
 */
export function workspacePath(reported: string, cwd: string): string | null {
  let path = reported.trim();
  if (path.startsWith("file://")) {
    path = decodeUri(path.slice("file://".length));
  } else if (path === "" || path.startsWith("<") || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(path)) {
    return null;
  }
  const absolute = posix.normalize(path.startsWith("/") ? path : posix.join(cwd, path));
  return absolute.startsWith(`${WORKSPACE_ROOT}/`) ? absolute.slice(WORKSPACE_ROOT.length + 1) : null;
}

function decodeUri(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path; // a stray `%` is a character of the name, not an escape
  }
}
