import { posix } from "node:path";
import { WORKSPACE_ROOT } from "../protocol/workspace-path";

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

/** Fills `{file}`, `{dir}`, `{name}`, `{stem}` and `{build}` into each argument; an unknown one is an error. */
export function expandCommand(command: readonly string[], source: SourceFile): string[] {
  const values = placeholders(source);
  return command.map((argument) =>
    argument.replace(/\{(\w+)\}/g, (whole, key: string) => {
      const value = values[key];
      if (value === undefined) throw new Error(`unknown placeholder ${whole} in command ${JSON.stringify(command)}`);
      return value;
    }),
  );
}
