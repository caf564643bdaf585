import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

/** .artifacts/e2e/ at the repo root (git-ignored): screenshots and logs a failure is diagnosed from. */
export const artifactsDir = resolve(__dirname, "..", "..", ".artifacts", "e2e");

export function artifactPath(name: string): string {
  mkdirSync(artifactsDir, { recursive: true });
  return join(artifactsDir, name);
}
