import { z } from "zod";

/** The language ids of the API guide (`003_…`). Each has a folder under runtimes/. */
export const LANGUAGE_IDS = ["python", "javascript", "typescript", "csharp", "go", "java", "rust", "deno"] as const;

export const LanguageId = z.enum(LANGUAGE_IDS);
export type LanguageId = z.infer<typeof LanguageId>;
