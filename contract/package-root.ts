import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

let cached: string | undefined;

/**
 * The folder of CodeBeaker's package.json: runtimes/ and the runner's sources are found from it, whether the
 * host runs bundled (dist/host.js) or from source (tests).
 */
export function packageRoot(): string {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "codebeaker") {
      return (cached = dir);
    }
    if (dirname(dir) === dir) throw new Error(`no CodeBeaker package.json above ${__dirname}`);
  }
}
