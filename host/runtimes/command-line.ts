import { posix } from "node:path";
import type { Permissions } from "../../contract/protocol/session";
import { WORKSPACE_ROOT } from "../../contract/protocol/workspace-path";
import type { RuntimeManifest } from "../../contract/runtimes/manifest";

/** Where compile stages put their output: inside the sandbox's /tmp, out of the user's workspace. */
export const BUILD_DIR = "/tmp/codebeaker/build";

export interface SourceFile {
  /** Absolute path inside the sandbox, under /workspace. */
  path: string;
}

/** The values a runtime's command line can refer to, for one source file. */
export function placeholders(source: SourceFile): Record<string, string> {
  const dir = posix.dirname(source.path);
  const extension = posix.extname(source.path);
  const name = posix.basename(source.path, extension);
  const relative = posix.relative(WORKSPACE_ROOT, source.path);
  return {
    file: source.path,
    dir,
    name,
    stem: relative.slice(0, relative.length - extension.length),
    build: BUILD_DIR,
  };
}

/** Placeholders that stand for several arguments: the granted permission flags, the directory's source files. */
export interface ArgumentLists {
  permissions?: string[];
  sources?: string[];
}

/**
 * Fills `{file}`, `{dir}`, `{name}`, `{stem}` and `{build}` into each argument; an argument that is exactly
 * `{permissions}` or `{sources}` becomes that list (zero or more arguments). An unknown one is an error.
 */
export function expandCommand(command: readonly string[], source: SourceFile, lists: ArgumentLists = {}): string[] {
  const values = placeholders(source);
  return command.flatMap((argument) =>
    argument === "{permissions}" || argument === "{sources}"
      ? (lists[argument === "{permissions}" ? "permissions" : "sources"] ?? [])
      : [
          argument.replace(/\{(\w+)\}/g, (whole, key: string) => {
            const value = values[key];
            if (value === undefined) throw new Error(`unknown placeholder ${whole} in command ${JSON.stringify(command)}`);
            return value;
          }),
        ],
  );
}

/** Deno-style flags for the permissions a session grants: `--allow-read`, `--allow-net=a.com,b.com`, … */
export function permissionFlags(flags: RuntimeManifest["permissions"], granted: Permissions | null): string[] {
  if (!flags || !granted) return [];
  return (Object.keys(flags) as (keyof Permissions)[]).flatMap((name) => {
    const value = granted[name];
    if (value === undefined || value === false) return [];
    if (value === true) return [flags[name]];
    return value.length ? [`${flags[name]}=${value.join(",")}`] : [];
  });
}

/**
 * A warm part's command line (docs/WARM.md): it starts before any file is known, so only `{build}` and
 * `{permissions}` (the granted flags) are filled in; the manifest refuses any other placeholder.
 */
export function expandWarmPart(command: readonly string[], permissions: readonly string[] = []): string[] {
  return command.flatMap((argument) => (argument === "{permissions}" ? [...permissions] : [argument.replace(/\{build\}/g, BUILD_DIR)]));
}
