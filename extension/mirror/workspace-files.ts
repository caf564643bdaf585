import { Dirent, promises as fs } from "node:fs";
import { join, posix, relative, sep } from "node:path";
import ignore, { Ignore } from "ignore";
import { contentHash } from "../../contract/content-hash";

/** One file of a folder as the sandbox should have it. */
export interface MirroredFile {
  /** Relative to the folder, with forward slashes: its path under /workspace. */
  path: string;
  content: Buffer;
  /** contract/content-hash.ts: what the mirror compares to know the file changed. */
  hash: string;
}

export interface FolderScan {
  files: MirroredFile[];
  /** Left out, with why: too large, a link out of the folder, too many files. */
  skipped: Array<{ path: string; reason: string }>;
}

export interface ScanOptions {
  /** `.gitignore`-style patterns on top of the folder's own .gitignore files. */
  exclude: string[];
  maxFileBytes: number;
  maxFiles: number;
  /** Text of open editors by absolute path: unsaved changes are what runs. */
  openText: ReadonlyMap<string, string>;
}

/** A folder's rules: the exclude setting at its root, then each .gitignore, applying below its own directory. */
interface Rules {
  base: string;
  matcher: Ignore;
}

/**
 * The files of a folder to mirror: .gitignore files (nested ones too) and the exclude patterns respected, unsaved
 * editor text used instead of the file's, and a symbolic link taken only when it stays inside the folder (a link
 * to a file becomes a copy of it; links to directories are not followed, so there are no cycles).
 */
export async function scanFolder(root: string, options: ScanOptions): Promise<FolderScan> {
  const realRoot = await fs.realpath(root);
  const scan: FolderScan = { files: [], skipped: [] };
  const rules: Rules[] = [{ base: "", matcher: ignore().add(options.exclude) }];
  await walk(root, "", rules, realRoot, options, scan);
  return scan;
}

async function walk(root: string, dir: string, inherited: Rules[], realRoot: string, options: ScanOptions, scan: FolderScan) {
  const absolute = join(root, dir);
  const rules = [...inherited];
  const gitignore = await fs.readFile(join(absolute, ".gitignore"), "utf8").catch(() => undefined);
  if (gitignore !== undefined) rules.push({ base: dir, matcher: ignore().add(gitignore) });
  const entries: Dirent[] = await fs.readdir(absolute, { withFileTypes: true }).catch(() => []);
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = dir ? posix.join(dir, entry.name) : entry.name;
    if (ignored(rules, path, entry.isDirectory())) continue;
    const full = join(root, path);
    if (entry.isDirectory()) {
      await walk(root, path, rules, realRoot, options, scan);
      continue;
    }
    if (entry.isSymbolicLink()) {
      const target = await fs.realpath(full).catch(() => undefined);
      const inside = target !== undefined && (target + sep).startsWith(realRoot + sep);
      const stat = target ? await fs.stat(target).catch(() => undefined) : undefined;
      if (!inside || !stat?.isFile()) {
        scan.skipped.push({ path, reason: inside ? "a link to a directory" : "a link out of the folder" });
        continue;
      }
    } else if (!entry.isFile()) continue;
    const open = options.openText.get(full);
    const size = open !== undefined ? Buffer.byteLength(open) : (await fs.stat(full).catch(() => undefined))?.size;
    if (size === undefined) continue; // gone while we looked
    if (size > options.maxFileBytes) {
      scan.skipped.push({ path, reason: `larger than ${Math.round(options.maxFileBytes / 1024)} KB` });
      continue;
    }
    if (scan.files.length >= options.maxFiles) {
      scan.skipped.push({ path, reason: `over ${options.maxFiles} files` });
      continue;
    }
    const content = open !== undefined ? Buffer.from(open, "utf8") : await fs.readFile(full).catch(() => undefined);
    if (!content) continue;
    scan.files.push({ path, content, hash: contentHash(content) });
  }
}

function ignored(rules: Rules[], path: string, directory: boolean): boolean {
  return rules.some(({ base, matcher }) => {
    if (base && !path.startsWith(`${base}/`)) return false;
    const inner = base ? relative(base, path).split(sep).join("/") : path;
    return matcher.ignores(directory ? `${inner}/` : inner);
  });
}
