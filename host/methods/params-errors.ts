import type { z } from "zod";

/** Turns zod issues into one sentence per problem, each naming the field: "command.path: …". */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const where = fieldPath(issue.path);
    const prefix = where ? `${where}: ` : "params: ";
    switch (issue.code) {
      case "unrecognized_keys":
        return `${prefix}unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
      case "invalid_type":
        if (/received undefined$/.test(issue.message)) return `${prefix}is required (${article(issue.expected)})`;
        return `${prefix}${issue.message.replace(/^Invalid input: /, "")}`;
      case "invalid_union":
        return `${prefix}${issue.message.replace(/^type /, "")}`;
      case "invalid_key":
        // The key's own schema says what is wrong with it ("environment variable names are …").
        return `${prefix}invalid name: ${issue.issues.map((inner) => inner.message).join("; ")}`;
      default:
        return `${prefix}${issue.message.replace(/^Invalid input: /, "")}`;
    }
  });
}

function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
