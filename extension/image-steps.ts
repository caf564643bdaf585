import type { BuildStep } from "../contract/protocol/methods";

/**
 * A step said in few enough characters for a notification's line, which VS Code cuts without a mark: its number
 * and the start of its instruction, shortened at a word with an ellipsis. The terminal has the whole step.
 */
export function stepSummary(step: BuildStep, maxLength = 40): string {
  const head = `step ${step.index} of ${step.count}: `;
  const room = maxLength - head.length;
  if (step.instruction.length <= room) return head + step.instruction;
  const cut = step.instruction.slice(0, room - 1);
  const atWord = cut.lastIndexOf(" ") > room / 2 ? cut.slice(0, cut.lastIndexOf(" ")) : cut;
  return `${head}${atWord}…`;
}
