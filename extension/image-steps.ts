/** One step of an image build as the engine announces it: `Step 2/5 : RUN apt-get update && …`. */
export interface BuildStep {
  index: number;
  count: number;
  instruction: string;
}

const STEP = /^Step (\d+)\/(\d+) : (.*)$/s;

export function buildStep(message: string): BuildStep | null {
  const match = STEP.exec(message.trim());
  return match ? { index: Number(match[1]), count: Number(match[2]), instruction: (match[3] ?? "").replace(/\s+/g, " ") } : null;
}

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
