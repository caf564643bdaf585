import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { z } from "zod";
import { packageRoot } from "../package-root";
import { LanguageFile, Runtime, RuntimeManifest, VersionFile, VersionId } from "./manifest";
import { newestFirst, versionList } from "./versions";

export class RuntimeManifestError extends Error {}

export const LANGUAGE_FILE = "language.json";
export const VERSION_FILE = "runtime.json";

function readJson<T extends z.ZodType>(file: string, schema: T): z.output<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new RuntimeManifestError(`${file}: ${(cause as Error).message}`, { cause });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new RuntimeManifestError(`${file}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * Reads and checks one version folder, runtimes/<language>/<version>/: its runtime.json over its language's
 * language.json (the folder above). The version is the folder's name.
 */
export function loadRuntime(directory: string, language = readJson(join(dirname(directory), LANGUAGE_FILE), LanguageFile)): Runtime {
  const file = join(directory, VERSION_FILE);
  const version = VersionId.safeParse(basename(directory));
  if (!version.success)
    throw new RuntimeManifestError(`${directory}: the folder's name is the version, and ${z.prettifyError(version.error)}`);
  const own = readJson(file, VersionFile);
  const merged = RuntimeManifest.safeParse({
    ...language,
    ...own,
    version: version.data,
    env: { ...language.env, ...own.env },
    limits: { ...language.limits, ...own.limits },
    run: own.run ?? language.run,
    compile: own.compile ?? language.compile,
    warm: own.warm ?? language.warm,
  });
  if (!merged.success) throw new RuntimeManifestError(`${file} (with ../${LANGUAGE_FILE}): ${z.prettifyError(merged.error)}`);
  const manifest = merged.data;
  const programs = [manifest.testProgram, ...(manifest.featureProgram ? [manifest.featureProgram] : [])];
  for (const needed of manifest.image.from ? programs : [manifest.image.dockerfile, ...programs]) {
    if (!existsSync(join(directory, needed))) throw new RuntimeManifestError(`${file}: ${needed} is missing from ${directory}`);
  }
  const patterns = [
    ...manifest.entryNameFromCode.map((pattern) => ["entryNameFromCode", pattern]),
    ...(manifest.sourceExclude ? [["sourceExclude", manifest.sourceExclude]] : []),
    ...(manifest.localToolchain ? [["localToolchain.matches", manifest.localToolchain.matches]] : []),
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

/** Every version of one language folder, runtimes/<language>/: each subfolder with a runtime.json, newest first. */
export function loadLanguage(directory: string): Runtime[] {
  const file = join(directory, LANGUAGE_FILE);
  const language = readJson(file, LanguageFile);
  if (language.language !== basename(directory)) {
    throw new RuntimeManifestError(
      `${file}: its language is "${language.language}", and must be its folder's name, "${basename(directory)}"`,
    );
  }
  const versions = readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(directory, entry.name, VERSION_FILE)))
    .map((entry) => loadRuntime(join(directory, entry.name), language));
  if (!versions.length) throw new RuntimeManifestError(`${directory}: no version folder (a subfolder with a ${VERSION_FILE})`);
  if (language.defaultVersion && !versions.some((runtime) => runtime.manifest.version === language.defaultVersion)) {
    throw new RuntimeManifestError(
      `${file}: defaultVersion "${language.defaultVersion}" has no folder (there are ${versionList(newestFirst(versions))})`,
    );
  }
  return newestFirst(versions);
}

/** The runtimes CodeBeaker knows: each language with its versions, by language id and alias. */
export class RuntimeRegistry {
  /** Language id or alias (lowercase) → language id. */
  private readonly byName = new Map<string, string>();
  /** Language id → its versions, newest first; in the languages' order. */
  private readonly byLanguage = new Map<string, Runtime[]>();

  /** The runtimes shipped in runtimes/: one folder per language, one subfolder per version. */
  static builtIn(root = join(packageRoot(), "runtimes")): RuntimeRegistry {
    const registry = new RuntimeRegistry();
    const languages = readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, LANGUAGE_FILE)))
      .map((entry) => loadLanguage(join(root, entry.name)));
    for (const versions of languages) registry.register(...versions);
    return registry;
  }

  /**
   * Adds a language with its versions, or replaces the one with the same language id (its old versions and
   * aliases go with it). Its default version is defaultOf(versions).
   */
  register(...versions: Runtime[]): void {
    const [first] = versions;
    if (!first) throw new RuntimeManifestError("register needs at least one version");
    const { language } = first.manifest;
    const stranger = versions.find((runtime) => runtime.manifest.language !== language);
    if (stranger) throw new RuntimeManifestError(`register: versions of ${language} and ${stranger.manifest.language} together`);
    const names = [language, ...first.manifest.aliases].map((name) => name.toLowerCase());
    for (const name of names) {
      const owner = this.byName.get(name);
      if (owner && owner !== language) throw new RuntimeManifestError(`"${name}" is claimed by both ${owner} and ${language}`);
    }
    for (const [name, owner] of this.byName) if (owner === language) this.byName.delete(name);
    for (const name of names) this.byName.set(name, language);
    const sorted = newestFirst(versions);
    if (this.byLanguage.has(language)) this.byLanguage.set(language, sorted);
    else {
      // In its place by order; among equals, after those already there.
      const entries = [...this.byLanguage, [language, sorted] as const].sort(([, a], [, b]) => a[0]!.manifest.order - b[0]!.manifest.order);
      this.byLanguage.clear();
      for (const [id, list] of entries) this.byLanguage.set(id, list);
    }
  }

  /**
   * A runtime by language id or alias (any case): the version named, or the default one (the newest stable).
   * Undefined for an unknown language or version (see versions()).
   */
  find(name: string, version?: string): Runtime | undefined {
    const versions = this.versions(name);
    if (version === undefined) return defaultOf(versions);
    return versions.find((runtime) => runtime.manifest.version.toLowerCase() === version.toLowerCase());
  }

  /** A language's versions, newest first; none for an unknown name. */
  versions(name: string): readonly Runtime[] {
    const language = this.byName.get(name.toLowerCase());
    return (language && this.byLanguage.get(language)) || [];
  }

  /** The runtime for a file, by extension (its default version); where two share one (.ts), the earlier language wins. */
  forFile(path: string): Runtime | undefined {
    const extension = extname(path).toLowerCase();
    return this.all().find((runtime) => runtime.manifest.extensions.some((candidate) => candidate.toLowerCase() === extension));
  }

  /** Each language's default version, in the languages' order. */
  all(): Runtime[] {
    return [...this.byLanguage.values()].map((versions) => defaultOf(versions)!);
  }

  /** Every version of every language: languages in order, each newest first. */
  allVersions(): Runtime[] {
    return [...this.byLanguage.values()].flat();
  }

  languages(): string[] {
    return [...this.byLanguage.keys()];
  }
}

/** The language's defaultVersion, else the newest stable version, else the newest. */
export function defaultOf(versions: readonly Runtime[]): Runtime | undefined {
  const chosen = versions[0]?.manifest.defaultVersion;
  return (
    versions.find((runtime) => runtime.manifest.version === chosen) ?? versions.find((runtime) => runtime.manifest.stable) ?? versions[0]
  );
}
