import type { BuildStep } from "../../../contract/protocol/methods";

const STEP = /^Step (\d+)\/(\d+) : (.*)$/s;

/** The engine's line for a step of a build (`Step 2/5 : RUN apt-get update && …`), read once, here. */
export function buildStep(line: string): BuildStep | null {
  const match = STEP.exec(line.trim());
  return match ? { index: Number(match[1]), count: Number(match[2]), instruction: (match[3] ?? "").replace(/\s+/g, " ") } : null;
}
