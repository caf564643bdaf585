/**
 * A language of your own as a class, the seed's BaseRuntime: override `getRunCommand`, and `getCompileCommand`
 * for a compiled language; every field has a default. Register the class, not an instance:
 * `RuntimeRegistry.register("mylang", MyRuntime)`.
 *
 * The commands are asked for each file a beaker runs, with that file's absolute path in the sandbox
 * (`/workspace/main.mylang`); the program runs in the file's directory.
 */
export abstract class BaseRuntime {
  /** The image programs run in, as Docker names it; CodeBeaker adds its runner to it. */
  image = "debian:bookworm-slim";
  /** The file run() writes the code to, under the working directory; by default `main.<language>` (its letters and digits). */
  entryFile: string | undefined = undefined;
  /** File extensions of the language; by default the entry file's. */
  extensions: string[] | undefined = undefined;
  aliases: string[] = [];
  /** Environment of every program in the sandbox. */
  env: Record<string, string> = {};
  version = "custom";
  displayName: string | undefined = undefined;
  /** Which of CodeBeaker's error parsers reads its errors (python, node, tsc, go, rust, java, csharp, deno), or none. */
  errorParser = "none";

  /** The command line that runs the entry file: `["my-interpreter", entry]`. */
  abstract getRunCommand(entry: string): string[];

  /**
   * The command line that compiles the entry file before each run, for a compiled language (write what it
   * builds under /tmp: /workspace is the user's). When it fails, the run is a CompilationError.
   */
  getCompileCommand?(entry: string): string[];
}

/** A class extending BaseRuntime, as RuntimeRegistry.register takes it. */
export type RuntimeClass = new () => BaseRuntime;
