import { z } from "zod";
import { LimitOverrides } from "../limits";

/**
 * A command line; `{file}`, `{dir}`, `{name}`, `{stem}` and `{build}` are filled in per run, and `{sources}`
 * (the runtime's files in the source's directory) and `{permissions}` become lists (see expandCommand).
 */
const CommandLine = z.array(z.string().min(1)).min(1, "needs at least the program to run");

/** A file the host downloads into the image's build context, checked against its integrity hash. */
const FetchedFile = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  /** Subresource-integrity string, as npm records it: `sha512-<base64>`. */
  integrity: z.string().regex(/^sha(256|384|512)-[A-Za-z0-9+/]+=*$/, "must be like sha512-<base64>"),
  /** For a .tgz: the member to take out of it. Without it the download itself is the file. */
  extract: z.string().optional(),
  /** Its name in the build context. */
  to: z.string().regex(/^[A-Za-z0-9._-]+$/, "must be a plain file name"),
  mode: z.number().int().default(0o755),
});

export const RuntimeManifest = z.strictObject({
  language: z.string().regex(/^[a-z][a-z0-9-]*$/, "must be a lowercase id, like python"),
  displayName: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
  version: z.string().min(1),
  /** File extensions this runtime runs; the first one is its own. */
  extensions: z.array(z.string().regex(/^\.[A-Za-z0-9]+$/, "must look like .py")).min(1),
  /** The file execute_code writes the code to, under /workspace. */
  entryFile: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, "must be a plain file name"),
  /**
   * Regular expressions whose first group names the entry file from the code itself (Java's public class).
   * The first that matches wins; the file keeps entryFile's extension.
   */
  entryNameFromCode: z.array(z.string()).default([]),
  image: z
    .strictObject({
      dockerfile: z.string().default("Dockerfile"),
      fetch: z.array(FetchedFile).default([]),
    })
    .default({ dockerfile: "Dockerfile", fetch: [] }),
  /** Source files of the directory that `{sources}` leaves out (a regular expression on the file name). */
  sourceExclude: z.string().optional(),
  compile: CommandLine.optional(),
  run: CommandLine,
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
  /**
   * For a runtime with its own permission switches (Deno): the flag of each permission a session may grant.
   * `{permissions}` in a command line becomes the flags granted.
   */
  permissions: z
    .strictObject({
      allowRead: z.string().startsWith("--"),
      allowWrite: z.string().startsWith("--"),
      allowNet: z.string().startsWith("--"),
      allowEnv: z.string().startsWith("--"),
    })
    .optional(),
  /** Which error parser reads this runtime's diagnostics. */
  errorParser: z.string().min(1),
  limits: LimitOverrides.default({}),
  /** A program in this folder that prints OK: the runtime's own smoke test. */
  testProgram: z.string().min(1),
});
export type RuntimeManifest = z.infer<typeof RuntimeManifest>;

/** A manifest together with the folder it came from. */
export interface Runtime {
  manifest: RuntimeManifest;
  directory: string;
}
