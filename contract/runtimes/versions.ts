import type { Runtime } from "./manifest";

/** Compares version ids part by part ("1.85" > "1.63", "3.13" > "3.9", "24" > "22"); numbers as numbers. */
export function compareVersions(a: string, b: string): number {
  const left = a.split(/[.\-_]/);
  const right = b.split(/[.\-_]/);
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const x = left[index] ?? "";
    const y = right[index] ?? "";
    const numeric = /^\d+$/.test(x) && /^\d+$/.test(y);
    const order = numeric ? Number(x) - Number(y) : x.localeCompare(y);
    if (order !== 0) return order;
  }
  return 0;
}

/** Versions sorted newest first. */
export function newestFirst(versions: readonly Runtime[]): Runtime[] {
  return [...versions].sort((a, b) => compareVersions(b.manifest.version, a.manifest.version));
}

/** "python 3.11, 3.13": how messages name a language's versions, oldest first as people count. */
export function versionList(versions: readonly Runtime[]): string {
  return [...versions]
    .reverse()
    .map((runtime) => runtime.manifest.version)
    .join(", ");
}

/** "python@3.11" as the language and the version; "python" as the language alone. */
export function splitLanguageVersion(name: string): { language: string; version?: string } {
  const at = name.lastIndexOf("@");
  return at > 0 ? { language: name.slice(0, at), version: name.slice(at + 1) } : { language: name };
}
