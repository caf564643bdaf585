import { z } from "zod";

/** Another place in the user's code that an error passed through: a stack frame, outermost (caller) first. */
export const RelatedLocation = z.object({
  path: z.string(),
  line: z.number(),
  column: z.number(),
  message: z.string(),
});
export type RelatedLocation = z.infer<typeof RelatedLocation>;

/**
 * A location in the user's code that a compiler or a program reported, with what it said there. Every
 * session.execute answer carries them, so clients other than VS Code get them too.
 */
export const Diagnostic = z.object({
  /** Relative to /workspace, with forward slashes: `main.py`, `pkg/util.go`. */
  path: z.string(),
  /** 1-based. */
  line: z.number(),
  /** 1-based; 1 when the tool gives no column. */
  column: z.number(),
  endLine: z.number().optional(),
  /** 1-based and exclusive, when the tool marks a range (`^^^`, `~~~`). */
  endColumn: z.number().optional(),
  severity: z.enum(["error", "warning", "info"]),
  /** The tool's message, on one line where possible. */
  message: z.string(),
  /** The error's type: an exception class, a compiler code (TS2322, CS0029, E0308), `panic`, `PermissionDenied`. */
  code: z.string(),
  related: z.array(RelatedLocation),
});
export type Diagnostic = z.infer<typeof Diagnostic>;

/** The error a run failed with first: the first diagnostic of severity error. */
export function firstError(diagnostics: readonly Diagnostic[]): Diagnostic | undefined {
  return diagnostics.find((diagnostic) => diagnostic.severity === "error");
}

/** Where a run failed first, in the user's files: a diagnostic's place without the rest. */
export const ErrorLocation = Diagnostic.pick({ path: true, line: true, column: true });
export type ErrorLocation = z.infer<typeof ErrorLocation>;
