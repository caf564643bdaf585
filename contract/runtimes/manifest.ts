import { z } from "zod";
import { LimitOverrides } from "../limits";

/**
 * A command line; `{file}`, `{dir}`, `{name}`, `{stem}` and `{build}` are filled in per run, and `{sources}`
 * (the runtime's files in the source's directory) and `{permissions}` become lists (see expandCommand).
 */
const CommandLine = z.array(z.string().min(1)).min(1, "needs at least the program to run");

/** The placeholders of a run or compile line (see expandCommand); `{sources}` and `{permissions}` stand alone. */
const FILE_PLACEHOLDERS = ["file", "dir", "name", "stem", "build", "sources", "permissions"];
/** A warm part starts before any file is known: only what does not depend on one. */
const PART_PLACEHOLDERS = ["build", "permissions"];

/** A command line whose placeholders are among `known`; an unknown one is refused, naming the argument. */
function commandWith(known: readonly string[]) {
  return CommandLine.superRefine((command, context) => {
    command.forEach((argument, index) => {
      for (const [, name] of argument.matchAll(/\{(\w+)\}/g)) {
        const list = name === "sources" || name === "permissions";
        if (!known.includes(name!)) {
          context.addIssue({
            code: "custom",
            path: [index],
            message: `{${name}} cannot be used here (only ${known.map((key) => `{${key}}`).join(", ")})`,
          });
        } else if (list && argument !== `{${name}}`) {
          context.addIssue({
            code: "custom",
            path: [index],
            message: `{${name}} stands for several arguments: it must be an argument of its own`,
          });
        }
      }
    });
  });
}

/**
 * What a runtime keeps warm in a session's sandbox (docs/WARM.md): a launcher started ahead of each run and told
 * the run's command line, a resident compiler sent each compile line, and the compile line to use when warm.
 */
export const WarmParts = z.strictObject({
  launcher: commandWith(PART_PLACEHOLDERS).optional(),
  compiler: commandWith(PART_PLACEHOLDERS).optional(),
  compile: commandWith(FILE_PLACEHOLDERS).optional(),
});
export type WarmParts = z.infer<typeof WarmParts>;

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

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name");

/** Where every install's own tools and files go in a packages image (fetched files, this machine's CA bundle). */
export const INSTALLER_DIR = "/opt/codebeaker/installer";

/**
 * How a runtime installs the packages a session lists (npm, pip, cargo, go, maven): once per list, in an image
 * build on the engine, with network, into a layer that sessions of that list start from. No package code runs
 * during the install where the manager allows it (npm --ignore-scripts, pip --only-binary; go get and Maven's
 * copy run none): the network is on then, and the packages are not trusted. cargo cannot build without running
 * crates' build scripts and procedural macros (docs/SECURITY.md).
 */
export const PackageInstall = z.strictObject({
  /** The package manager's name, for messages: npm, pip, cargo, go, maven. */
  manager: z.string().min(1),
  /** Where it fetches from unless the host's environment names another (see passEnv): said when an install fails. */
  index: z.url(),
  /** Files the host downloads (with this machine's certificate store) into the install's build context, to INSTALLER_DIR. */
  fetch: z.array(FetchedFile).default([]),
  /** Commands run before any list is installed (what the manager needs): a layer shared by every list. */
  setup: z.array(CommandLine).default([]),
  /** The install, in one layer; an argument that is exactly `{packages}` becomes the list. */
  install: z.array(CommandLine).min(1),
  /** The install's own environment; `{ca}` is the path of this machine's CA bundle in the build. */
  installEnv: z.record(EnvName, z.string()).default({}),
  /** Variables of the host's environment given to the install when they are set (another index, a mirror). */
  passEnv: z.array(EnvName).default([]),
  /** The sessions' environment, so that programs find what was installed. */
  env: z.record(EnvName, z.string()).default({}),
});
export type PackageInstall = z.infer<typeof PackageInstall>;

/** A folder name that is a version id: what `session.create`'s `version` names ("3.13", "24", "1.85"). */
export const VersionId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be a version like 3.13 (letters, digits, . _ -)");

/**
 * How process isolation tells whether this machine's own toolchain is this version: a command run with the
 * sandbox's PATH, and a regular expression its output (stdout and stderr) must match.
 */
const LocalToolchain = z.strictObject({
  command: CommandLine,
  matches: z.string().min(1),
});

/** What only runtimes/<language>/language.json says: the language, the same for each of its versions. */
const languageFields = {
  language: z.string().regex(/^[a-z][a-z0-9-]*$/, "must be a lowercase id, like python"),
  displayName: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
  /**
   * Where the language comes in lists, and which language a file extension two share (.ts) goes to: lower
   * first, then by name.
   */
  order: z.number().default(100),
  /** The version sessions get when they name none; without it, the newest stable version. */
  defaultVersion: VersionId.optional(),
  /** File extensions this runtime runs; the first one is its own. */
  extensions: z.array(z.string().regex(/^\.[A-Za-z0-9]+$/, "must look like .py")).min(1),
  /** The file execute_code writes the code to, under /workspace. */
  entryFile: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, "must be a plain file name"),
  /**
   * Regular expressions whose first group names the entry file from the code itself (Java's public class).
   * The first that matches wins; the file keeps entryFile's extension.
   */
  entryNameFromCode: z.array(z.string()).default([]),
  /** Source files of the directory that `{sources}` leaves out (a regular expression on the file name). */
  sourceExclude: z.string().optional(),
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
  /** How packages a session lists are installed; a runtime without it takes no packages. */
  packages: PackageInstall.optional(),
  /** Which error parser reads this runtime's diagnostics. */
  errorParser: z.string().min(1),
};

/** What either file may say; a version's wins (env and limits: key by key). */
const sharedFields = {
  compile: CommandLine.optional(),
  run: CommandLine,
  env: z.record(EnvName, z.string()).default({}),
  limits: LimitOverrides.default({}),
  /** What sessions keep warm; a version's `warm` replaces its language's whole (`{}`: nothing). */
  warm: WarmParts.optional(),
};

/** What only runtimes/<language>/<version>/runtime.json says: this version's image and programs. */
const versionFields = {
  /** The version's id: its folder's name. */
  version: VersionId,
  /** What the version is made of, for people: "CPython 3.13 (Debian trixie)". */
  toolchain: z.string().min(1).optional(),
  /** False for a preview: never the default, chosen only by name. */
  stable: z.boolean().default(true),
  image: z
    .strictObject({
      dockerfile: z.string().default("Dockerfile"),
      fetch: z.array(FetchedFile).default([]),
      /** An existing image to run in (the runner is added to it), instead of building the folder's Dockerfile. */
      from: z.string().min(1).optional(),
    })
    .default({ dockerfile: "Dockerfile", fetch: [] }),
  /**
   * How process isolation checks that this machine's toolchain is this version; without it (a runtime
   * registered by a program), the machine's toolchain is taken as it is.
   */
  localToolchain: LocalToolchain.optional(),
  /** A program in this folder that prints OK: the runtime's own smoke test. */
  testProgram: z.string().min(1),
  /** A program in this folder that prints OK using what is new in this version (checked by the integration tests). */
  featureProgram: z.string().min(1).optional(),
};

/** runtimes/<language>/language.json. */
export const LanguageFile = z.strictObject({ ...languageFields, ...sharedFields, run: CommandLine.optional() });
export type LanguageFile = z.infer<typeof LanguageFile>;

/** runtimes/<language>/<version>/runtime.json: its version is the folder's name. */
export const VersionFile = z.strictObject({
  ...versionFields,
  version: z.never({ error: "is the folder's name: leave it out of runtime.json" }).optional(),
  compile: CommandLine.optional(),
  run: CommandLine.optional(),
  env: z.record(EnvName, z.string()).optional(),
  limits: LimitOverrides.optional(),
  warm: WarmParts.optional(),
});

/** One version of a language: its language.json and runtime.json together, as sessions use it. */
export const RuntimeManifest = z.strictObject({ ...languageFields, ...sharedFields, ...versionFields });
export type RuntimeManifest = z.infer<typeof RuntimeManifest>;

/** A manifest together with the folder it came from (the version's folder). */
export interface Runtime {
  manifest: RuntimeManifest;
  directory: string;
}
