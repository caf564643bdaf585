/** The output's lines, without their line ends. */
export function linesOf(text: string): string[] {
  return text.split(/\r?\n/);
}

/**
 * The columns a marker line (`   ^^^^`, `  ~~^~~`) underlines in the line above it, 1-based with an exclusive end,
 * or null when the line is not a marker line. `marks` are the characters that count as markers.
 */
export function markedRange(line: string | undefined, marks = "^~"): { column: number; endColumn: number } | null {
  if (line === undefined) return null;
  const chars = marks.replace(/[\\\]^-]/g, "\\$&");
  const match = new RegExp(`^(\\s*)([${chars}](?:[ ${chars}]*[${chars}])?)\\s*$`).exec(line);
  if (!match) return null;
  const indent = match[1]?.length ?? 0;
  const length = match[2]?.length ?? 0;
  return { column: indent + 1, endColumn: indent + length + 1 };
}
