import { posix } from "node:path";
import { z } from "zod";
import type { CommandOverrides } from "../../contract/protocol/session";
import { WORKSPACE_ROOT } from "../../contract/protocol/workspace-path";
import { Runtime, RuntimeManifest } from "../../contract/runtimes/manifest";
import { RuntimeRegistry as Runtimes } from "../../contract/runtimes/registry";
import { BaseRuntime, RuntimeClass } from "./base-runtime";
import { CodeBeakerError } from "./errors";
import { refuseUnknownOptions } from "./options";

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

const CUSTOM_RUNTIME_KEYS = [
  "image",
  "run",
  "compile",
  "entryFile",
  "extensions",
  "aliases",
  "env",
  "version",
  "displayName",
  "errorParser",
];

/**
 * The languages beakers can run: the built-in runtimes (runtimes/ in the package) and the ones registered here,
 * for every Lab of this process, those already running included.
 */
export class RuntimeRegistry {
  private static readonly custom = new Map<string, Runtime>();
  /** The registered classes, by language: asked for their command lines for each file a beaker runs. */
  private static readonly classes = new Map<string, BaseRuntime>();
  private static readonly watchers = new Set<(runtime: Runtime) => void>();
  private static known: Runtimes | undefined;

  /**
   * Adds a language, or replaces one (a built-in one too) by its name: a class extending BaseRuntime (the
   * seed's way), or an image with command lines.
   */
  static register(name: string, runtime: RuntimeClass | CustomRuntime): void {
    const where = `RuntimeRegistry.register("${name}")`;
    const instance = typeof runtime === "function" ? instantiate(where, runtime) : undefined;
    if (!instance) refuseUnknownOptions(where, runtime, CUSTOM_RUNTIME_KEYS);
    const definition = instance ? fromClass(where, name, instance) : (runtime as CustomRuntime);
    const parsed = RuntimeManifest.safeParse({
      language: name,
      displayName: definition.displayName ?? name,
      version: definition.version ?? "custom",
      aliases: definition.aliases ?? [],
      extensions: definition.extensions ?? [posix.extname(definition.entryFile)],
      entryFile: definition.entryFile,
      image: { from: definition.image },
      compile: definition.compile,
      run: definition.run,
      env: definition.env ?? {},
      errorParser: definition.errorParser ?? "none",
      // A registered runtime has no folder, so no test program of its own: its entry file stands in.
      testProgram: definition.entryFile,
    });
    if (!parsed.success)
      throw new CodeBeakerError("INVALID_OPTION", `${where}: ${z.prettifyError(parsed.error)}`, { data: { language: name } });
    const registered: Runtime = { manifest: parsed.data, directory: `(registered in this process as ${name})` };
    // Names must not clash with another language's: checked now, against everything known, not at first use.
    // The registry checked becomes the known one only once it has taken the new runtime.
    const candidate = RuntimeRegistry.withCustom();
    try {
      candidate.register(registered);
    } catch (error) {
      throw new CodeBeakerError("INVALID_OPTION", `${where}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
        data: { language: name },
      });
    }
    RuntimeRegistry.custom.set(parsed.data.language, registered);
    if (instance) RuntimeRegistry.classes.set(parsed.data.language, instance);
    else RuntimeRegistry.classes.delete(parsed.data.language);
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

  /** @internal The runtime a language id or alias names, built-in or registered. */
  static find(name: string): Runtime | undefined {
    return RuntimeRegistry.all().find(name);
  }

  /**
   * @internal The command lines a registered class gives for one file (its absolute path in the sandbox);
   * undefined for a runtime that is data, whose command lines the host fills in itself.
   */
  static commandsFor(language: string, entry: string): CommandOverrides | undefined {
    const instance = RuntimeRegistry.classes.get(language);
    if (!instance) return undefined;
    const where = `${instance.constructor.name} (${language})`;
    return {
      run: commandLine(where, "getRunCommand", () => instance.getRunCommand(entry)),
      compile: compileCommand(where, instance, entry) ?? null,
    };
  }

  /** Built-in and registered runtimes, read from runtimes/ once. */
  private static all(): Runtimes {
    return (RuntimeRegistry.known ??= RuntimeRegistry.withCustom());
  }

  private static withCustom(): Runtimes {
    let all: Runtimes;
    try {
      all = Runtimes.builtIn();
    } catch (error) {
      throw CodeBeakerError.from(error); // a broken runtimes/ folder of the package: says which file and field
    }
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

function instantiate(where: string, runtime: RuntimeClass): BaseRuntime {
  if (!(runtime.prototype instanceof BaseRuntime)) {
    throw new CodeBeakerError("INVALID_OPTION", `${where}: a runtime is a class extending BaseRuntime, or { image, entryFile, run }`);
  }
  try {
    return new runtime();
  } catch (error) {
    throw new CodeBeakerError(
      "INVALID_OPTION",
      `${where}: new ${runtime.name}() threw: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/** A class's fields and its command lines for the default entry file, as the host registers a runtime. */
function fromClass(where: string, name: string, instance: BaseRuntime): CustomRuntime {
  const entryFile = instance.entryFile ?? `main.${name.replace(/[^A-Za-z0-9]/g, "") || "src"}`;
  const entry = posix.join(WORKSPACE_ROOT, entryFile);
  return {
    image: instance.image,
    entryFile,
    run: commandLine(where, "getRunCommand", () => instance.getRunCommand(entry)),
    compile: compileCommand(where, instance, entry),
    extensions: instance.extensions,
    aliases: instance.aliases,
    env: instance.env,
    version: instance.version,
    displayName: instance.displayName,
    errorParser: instance.errorParser,
  };
}

function compileCommand(where: string, instance: BaseRuntime, entry: string): string[] | undefined {
  const compile = instance.getCompileCommand;
  return compile ? commandLine(where, "getCompileCommand", () => compile.call(instance, entry)) : undefined;
}

/** What a class's command hook returned, refused unless it is a command line. */
function commandLine(where: string, hook: string, call: () => string[]): string[] {
  let line: unknown;
  try {
    line = call();
  } catch (error) {
    throw new CodeBeakerError("INVALID_OPTION", `${where}: ${hook} threw: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  if (!Array.isArray(line) || line.length === 0 || !line.every((part) => typeof part === "string" && part.length > 0)) {
    throw new CodeBeakerError(
      "INVALID_OPTION",
      `${where}: ${hook} must return a command line, like ["my-interpreter", entry] (got ${JSON.stringify(line)})`,
    );
  }
  return line;
}
