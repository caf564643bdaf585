import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { z } from "zod";
import { packageRoot } from "../package-root";
import { LANGUAGE_IDS } from "../protocol/languages";
import { Runtime, RuntimeManifest } from "./manifest";

export class RuntimeManifestError extends Error {}

/** Reads and checks one runtimes/<language>/ folder. */
export function loadRuntime(directory: string): Runtime {
  const file = join(directory, "runtime.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new RuntimeManifestError(`${file}: ${(cause as Error).message}`, { cause });
  }
  const parsed = RuntimeManifest.safeParse(raw);
  if (!parsed.success) throw new RuntimeManifestError(`${file}: ${z.prettifyError(parsed.error)}`);
  const manifest = parsed.data;
  for (const needed of manifest.image.from ? [manifest.testProgram] : [manifest.image.dockerfile, manifest.testProgram]) {
    if (!existsSync(join(directory, needed))) throw new RuntimeManifestError(`${file}: ${needed} is missing from ${directory}`);
  }
  const patterns = [
    ...manifest.entryNameFromCode.map((pattern) => ["entryNameFromCode", pattern]),
    ...(manifest.sourceExclude ? [["sourceExclude", manifest.sourceExclude]] : []),
  ];
  for (const [field, pattern] of patterns) {
    try {
      new RegExp(pattern!);
    } catch (cause) {
      throw new RuntimeManifestError(`${file}: ${field} ${pattern} is not a regular expression`, { cause });
    }
  }
  return { manifest, directory };
}

/** The runtimes CodeBeaker knows, by language id and alias. */
export class RuntimeRegistry {
  private readonly byName = new Map<string, Runtime>();
  private readonly ordered: Runtime[] = [];

  /** The runtimes shipped in runtimes/: the guide's languages first, in its order. */
  static builtIn(root = join(packageRoot(), "runtimes")): RuntimeRegistry {
    const registry = new RuntimeRegistry();
    const folders = readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, "runtime.json")))
      .map((entry) => entry.name)
      .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    for (const folder of folders) {
      const runtime = loadRuntime(join(root, folder));
      if (runtime.manifest.language !== folder) {
        throw new RuntimeManifestError(`runtimes/${folder}: its manifest says language "${runtime.manifest.language}"`);
      }
      registry.register(runtime);
    }
    return registry;
  }

  /** Adds a runtime, or replaces the one with the same language id (its old aliases go with it). */
  register(runtime: Runtime): void {
    const { language } = runtime.manifest;
    const names = [language, ...runtime.manifest.aliases].map((name) => name.toLowerCase());
    for (const name of names) {
      const owner = this.byName.get(name);
      if (owner && owner.manifest.language !== language) {
        throw new RuntimeManifestError(`"${name}" is claimed by both ${owner.manifest.language} and ${language}`);
      }
    }
    for (const [name, owner] of this.byName) if (owner.manifest.language === language) this.byName.delete(name);
    const index = this.ordered.findIndex((known) => known.manifest.language === language);
    if (index >= 0) this.ordered[index] = runtime;
    else this.ordered.push(runtime);
    for (const name of names) this.byName.set(name, runtime);
  }

  /** A runtime by language id or alias, any case. */
  find(name: string): Runtime | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** The runtime for a file, by extension; where two share one (.ts), the earlier language wins. */
  forFile(path: string): Runtime | undefined {
    const extension = extname(path).toLowerCase();
    return this.ordered.find((runtime) =>
      runtime.manifest.extensions.some((candidate) => candidate.toLowerCase() === extension),
    );
  }

  all(): readonly Runtime[] {
    return this.ordered;
  }

  languages(): string[] {
    return this.ordered.map((runtime) => runtime.manifest.language);
  }
}

function rank(language: string): number {
  const index = (LANGUAGE_IDS as readonly string[]).indexOf(language);
  return index < 0 ? LANGUAGE_IDS.length : index;
}
