import { posix } from "node:path";
import type { RuntimeManifest } from "./manifest";

/** The file execute_code writes: named from the code where the language needs it (Java's public class). */
export function entryFileName(manifest: RuntimeManifest, code: string): string {
  const extension = posix.extname(manifest.entryFile);
  for (const pattern of manifest.entryNameFromCode) {
    const name = new RegExp(pattern).exec(code)?.[1];
    if (name) return `${name}${extension}`;
  }
  return manifest.entryFile;
}
