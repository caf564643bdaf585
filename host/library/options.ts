import { CodeBeakerError } from "./errors";

/**
 * Refuses options a call does not know, naming each, so a typo or the seed's Python spelling (`memory_limit`)
 * is an error instead of a limit silently not applied. TypeScript catches most at compile time; JavaScript
 * callers and objects built at run time do not get that check.
 */
export function refuseUnknownOptions(where: string, given: object | undefined, known: readonly string[]): void {
  if (given === undefined || given === null) return;
  if (typeof given !== "object") {
    throw new CodeBeakerError("INVALID_OPTION", `${where}: options must be an object (got ${typeof given})`);
  }
  const unknown = Object.keys(given).filter((key) => !known.includes(key) && (given as Record<string, unknown>)[key] !== undefined);
  if (unknown.length === 0) return;
  const named = unknown.map((key) => {
    const camel = camelCase(key);
    return camel !== key && known.includes(camel) ? `"${key}" (did you mean ${camel}?)` : `"${key}"`;
  });
  throw new CodeBeakerError(
    "INVALID_OPTION",
    `${where}: unknown option${unknown.length > 1 ? "s" : ""} ${named.join(", ")} (known: ${known.join(", ")})`,
    {
      data: { unknown, known },
    },
  );
}

/** memory_limit → memoryLimit, input_data → inputData. */
const camelCase = (name: string) => name.replace(/_+([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
