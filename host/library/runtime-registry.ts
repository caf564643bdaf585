import { posix } from "node:path";
import { z } from "zod";
import { Runtime, RuntimeManifest } from "../runtimes/manifest";
import { RuntimeRegistry as Runtimes } from "../runtimes/registry";

/**
 * A language of your own: an image to run in and the command lines that run a file in it. Placeholders in
 * command lines are filled per run: {file} (the source's absolute path), {dir}, {name}, {stem}, {build}.
 */
export interface CustomRuntime {
  /** The image programs run in, as Docker names it; CodeBeaker adds its runner to it. */
  image: string;
  /** The run step: ["my-interpreter", "{file}"]. */
  run: string[];
  /** A compile step before it, for compiled languages. */
  compile?: string[];
  /** The file run() writes the code to, under /workspace: "main.my". */
  entryFile: string;
  /** File extensions of the language; by default the entry file's. */
  extensions?: string[];
  aliases?: string[];
  /** Environment of every program in the sandbox. */
  env?: Record<string, string>;
  version?: string;
  displayName?: string;
  /** Which of CodeBeaker's error parsers reads its errors (python, node, tsc, go, rust, java, csharp, deno); none by default. */
  errorParser?: string;
}

/**
 * The languages beakers can run: the built-in runtimes (runtimes/ in the package) and the ones registered here,
 * for every Lab of this process, those already running included.
 */
export class RuntimeRegistry {
  private static readonly custom = new Map<string, Runtime>();
  private static readonly watchers = new Set<(runtime: Runtime) => void>();
  private static known: Runtimes | undefined;

  /** Adds a language, or replaces one (a built-in one too) by its name. */
  static register(name: string, runtime: CustomRuntime): void {
    const parsed = RuntimeManifest.safeParse({
      language: name,
      displayName: runtime.displayName ?? name,
      version: runtime.version ?? "custom",
      aliases: runtime.aliases ?? [],
      extensions: runtime.extensions ?? [posix.extname(runtime.entryFile)],
      entryFile: runtime.entryFile,
      image: { from: runtime.image },
      compile: runtime.compile,
      run: runtime.run,
      env: runtime.env ?? {},
      errorParser: runtime.errorParser ?? "none",
      // A registered runtime has no folder, so no test program of its own: its entry file stands in.
      testProgram: runtime.entryFile,
    });
    if (!parsed.success) throw new TypeError(`RuntimeRegistry.register("${name}"): ${z.prettifyError(parsed.error)}`);
    const registered: Runtime = { manifest: parsed.data, directory: `(registered in this process as ${name})` };
    // Names must not clash with another language's: checked now, against everything known, not at first use.
    // The registry checked becomes the known one only once it has taken the new runtime.
    const candidate = RuntimeRegistry.withCustom();
    candidate.register(registered);
    RuntimeRegistry.custom.set(parsed.data.language, registered);
    RuntimeRegistry.known = candidate;
    for (const watcher of RuntimeRegistry.watchers) watcher(registered);
  }

  /** Every language a beaker can be made for, built-in and registered. */
  static languages(): string[] {
    return RuntimeRegistry.all().languages();
  }

  /** Whether a beaker can be made for this language id or alias. */
  static knows(name: string): boolean {
    return RuntimeRegistry.all().find(name) !== undefined;
  }

  /** Built-in and registered runtimes, read from runtimes/ once. */
  private static all(): Runtimes {
    return (RuntimeRegistry.known ??= RuntimeRegistry.withCustom());
  }

  private static withCustom(): Runtimes {
    const all = Runtimes.builtIn();
    for (const runtime of RuntimeRegistry.custom.values()) all.register(runtime);
    return all;
  }

  /**
   * @internal The registered runtimes now, and each one registered later: how a Lab's host learns of them.
   * Returns what stops the watching.
   */
  static follow(watcher: (runtime: Runtime) => void): () => void {
    for (const runtime of RuntimeRegistry.custom.values()) watcher(runtime);
    RuntimeRegistry.watchers.add(watcher);
    return () => RuntimeRegistry.watchers.delete(watcher);
  }
}
