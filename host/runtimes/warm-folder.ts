import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, posix, relative } from "node:path";
import type { Runtime } from "../../contract/runtimes/manifest";

/** Where a language's warm parts are in its sandboxes (docs/WARM.md): read-only, as root left them. */
export const WARM_PATH = "/opt/codebeaker/warm";
/** The script of the warm folder that runs at image build, as root, in that folder. */
export const WARM_SETUP = "setup.sh";

/**
 * Whether a warm folder's parts need its setup.sh to have run (a compiled launcher, a prebuilt library): not when
 * it has none, or when it says on a line of its own `# warm: optional` (it only makes the parts start faster).
 */
export function warmSetupRequired(folder: string): boolean {
  const setup = join(folder, WARM_SETUP);
  return existsSync(setup) && !/^# warm: optional\b/m.test(readFileSync(setup, "utf8"));
}

/** runtimes/<language>/warm/, beside the version folders, when the language has one. */
export function warmFolder(runtime: Runtime): string | undefined {
  const folder = join(dirname(runtime.directory), "warm");
  return existsSync(folder) && statSync(folder).isDirectory() ? folder : undefined;
}

/** The warm folder's files, by path relative to it (subfolders too), sorted; executable ones are marked so. */
export function warmFiles(folder: string): Array<{ path: string; executable: boolean }> {
  const found: Array<{ path: string; executable: boolean }> = [];
  const visit = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.isFile())
        found.push({ path: relative(folder, path).split("\\").join(posix.sep), executable: (statSync(path).mode & 0o111) !== 0 });
    }
  };
  visit(folder);
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
