import { resolve } from "node:path";
import { z } from "zod";

/**
 * Arguments several tools share. Paths and language names are checked by the host, as for every client, so
 * an agent reads the same messages an editor would (a path outside /workspace, an unknown language).
 */

/** The language of the sandbox a tool acts in; the file tools default to python's. */
export function languageArgument(languages: string[], fallback?: string) {
  const known = `${languages.join(", ")} (or an alias such as py, js, ts)`;
  const language = z.string().min(1);
  return fallback === undefined
    ? language.describe(`The language: ${known}.`)
    : language
        .default(fallback)
        .describe(`Whose sandbox to act in: ${known}; default ${fallback}. Each language has its own sandbox and /workspace.`);
}

export const VersionArgument = z
  .string()
  .min(1)
  .optional()
  .describe(
    "The language version (python 3.11 or 3.13, node 20, 22 or 24, …); default the newest stable. Each version has its own sandbox.",
  );

export const TimeoutSeconds = z
  .number()
  .positive()
  .max(3600)
  .optional()
  .describe("Time limit of the run in seconds (default 10); the program is killed when it passes it.");

export function timeoutMs(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : Math.max(1, Math.round(seconds * 1000));
}

export const Stdin = z.string().optional().describe("Text given to the program on its standard input.");

/**
 * The history workspace of a folder: its URI as VS Code writes it (Uri.file(folder).toString()), which is how
 * the extension names a folder's history, so runs an agent made there show in the editor's history panel.
 */
export function workspaceId(folder: string): string {
  const absolute = resolve(folder);
  const slashed = process.platform === "win32" ? absolute.replace(/\\/g, "/") : absolute;
  const path = (slashed.startsWith("/") ? slashed : `/${slashed}`).replace(/^\/([A-Z]):/, (_, drive: string) => `/${drive.toLowerCase()}:`);
  return `file://${path.split("/").map(encodeLikeVsCode).join("/")}`;
}

/** VS Code keeps only RFC 3986's unreserved characters; encodeURIComponent also keeps !'()*. */
function encodeLikeVsCode(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}
