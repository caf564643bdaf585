import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { artifactPath } from "./artifacts";
import { runLogged } from "./processes";

const repoRoot = resolve(__dirname, "..", "..");

/**
 * The packaged extension under test: `npm run package` builds codebeaker.vsix at the repo root.
 * CODEBEAKER_E2E_VSIX names a .vsix to use instead (no build), e.g. to try the harness on another build.
 */
export async function buildVsix(): Promise<string> {
  const given = process.env.CODEBEAKER_E2E_VSIX;
  if (given) {
    if (!existsSync(given)) throw new Error(`CODEBEAKER_E2E_VSIX names ${given}, which does not exist`);
    return resolve(given);
  }
  await runLogged("npm", ["run", "package"], { cwd: repoRoot, env: process.env, logFile: artifactPath("package.log") });
  const vsix = resolve(repoRoot, "codebeaker.vsix");
  if (!existsSync(vsix)) throw new Error(`npm run package made no ${vsix}: see ${artifactPath("package.log")}`);
  return vsix;
}
