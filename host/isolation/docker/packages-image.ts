import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { INSTALLER_DIR, PackageInstall } from "../../../contract/runtimes/manifest";
import { contextHash } from "./build-context";
import { dockerConfigDir } from "./engine-connection";

/** This machine's CA bundle in the install's build context, and where the install finds it. */
export const CA_FILE = "codebeaker-ca.crt";
export const CA_PATH = `${INSTALLER_DIR}/${CA_FILE}`;

/** An install that failed, said with what it needed and what the package manager said. */
export class PackageInstallError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PackageInstallError";
  }
}

/**
 * The image of a runtime with a list of packages: tagged by the runtime's image, its install recipe and the
 * list (sorted by the caller), so the same list is installed once and every later session starts from it.
 */
export function packagesTag(language: string, base: string, install: PackageInstall, packages: readonly string[]): string {
  const recipe = JSON.stringify({ base, install, packages });
  return `codebeaker/${language}-packages:${contextHash([{ name: "recipe", content: Buffer.from(recipe) }])}`;
}

/**
 * The Dockerfile that installs the list on top of the runtime's image. The setup (what the manager needs) is
 * a layer of its own, shared by every list through the engine's build cache; the install is one layer, so a
 * cache it removes takes no room. Commands are written for /bin/sh with every argument single-quoted.
 */
export function packagesDockerfile(
  base: string,
  install: PackageInstall,
  packages: readonly string[],
  environment: Readonly<Record<string, string>>,
): string {
  const exported = Object.entries(environment).map(([key, value]) => `${key}=${shellQuote(value)}`);
  const withEnvironment = (commands: string[][]) =>
    [...(exported.length ? [`export ${exported.join(" ")}`] : []), ...commands.map((command) => command.map(shellQuote).join(" "))].join(
      " && ",
    );
  const copied = [CA_FILE, ...install.fetch.map((file) => file.to)];
  const lines = [
    `FROM ${base}`,
    "USER root",
    `COPY ${JSON.stringify([...copied, `${INSTALLER_DIR}/`])}`,
    ...(install.setup.length ? [`RUN ${withEnvironment(install.setup)}`] : []),
    `RUN ${withEnvironment(install.install.map((command) => command.flatMap((arg) => (arg === "{packages}" ? [...packages] : [arg]))))}`,
    ...Object.entries(install.env).map(([key, value]) => `ENV ${key}=${JSON.stringify(value)}`),
  ];
  return `${lines.join("\n")}\n`;
}

/** The install's environment: the recipe's own (`{ca}` filled in), then the host's variables it passes on. */
export function installEnvironment(install: PackageInstall, env: Record<string, string | undefined> = process.env): Record<string, string> {
  const own = Object.fromEntries(Object.entries(install.installEnv).map(([key, value]) => [key, value.replaceAll("{ca}", CA_PATH)]));
  const passed = install.passEnv.flatMap((name) => (env[name] ? [[name, env[name]] as const] : []));
  return { ...own, ...Object.fromEntries(passed) };
}

/**
 * The proxies the docker CLI gives its builds (config.json's `proxies.default`), as
 * Docker's predefined build arguments: they reach the install's commands and, unlike declared arguments, are
 * not written into the image's history, so a proxy's credentials stay out of it.
 */
export function proxyBuildArgs(env: Record<string, string | undefined> = process.env): Record<string, string> {
  const file = join(dockerConfigDir(env), "config.json");
  if (!existsSync(file)) return {};
  let chosen: Record<string, string | undefined>;
  try {
    chosen = (JSON.parse(readFileSync(file, "utf8")) as { proxies?: { default?: typeof chosen } }).proxies?.default ?? {};
  } catch {
    return {}; // resolving the engine reads the same file and says what is wrong with it
  }
  const names: Record<string, string> = { httpProxy: "HTTP_PROXY", httpsProxy: "HTTPS_PROXY", noProxy: "NO_PROXY", ftpProxy: "FTP_PROXY" };
  return Object.fromEntries(
    Object.entries(names).flatMap(([key, arg]) => {
      const value = chosen[key];
      return value
        ? [
            [arg, value],
            [arg.toLowerCase(), value],
          ]
        : [];
    }),
  );
}

/** What to tell the user when an install fails: where it was fetching from, and the package manager's own words. */
export function describeInstallFailure(
  language: string,
  install: PackageInstall,
  packages: readonly string[],
  buildOutput: string,
): string {
  const from = install.passEnv.length ? ` (or what ${install.passEnv.join(" / ")} in the host's environment names)` : "";
  return (
    `installing ${packages.join(" ")} with ${install.manager} for ${language} failed. The install runs in an image ` +
    `build on the Docker engine, with network, and fetches from ${install.index}${from}: the engine must reach it, ` +
    `and packages install without running code of their own where the manager allows it (npm: no install scripts; ` +
    `pip: wheels only; cargo does run crates' build scripts and procedural macros). ` +
    `${install.manager} said:\n${failingStep(buildOutput)}`
  );
}

/** The output of the build's last step, without the builder's own lines and colours. */
function failingStep(buildOutput: string): string {
  const lines = buildOutput.replace(/\x1b\[[0-9;]*m/g, "").split("\n");
  const start = lines.map((line) => line.startsWith("Step ")).lastIndexOf(true);
  return lines
    .slice(start + 1)
    .filter((line) => line.trim() && !/^ ---> |^Removing intermediate container /.test(line))
    .join("\n");
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
