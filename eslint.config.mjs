// The project's linter: typescript-eslint's recommended rules over every part of the tree, run by `npm run lint`
// (and so by CI). Formatting is prettier's job (`npm run format`), not the linter's.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "test/fixtures/**", ".vscode-test/**", "runtimes/**/*.js", "runtimes/**/*.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.mts", "**/*.mjs"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      // Empty callbacks are how this code says "nothing to do" (a silent logger, an ignored rejection).
      "@typescript-eslint/no-empty-function": "off",
      "no-empty": ["error", { allowEmptyCatch: true }],
      // Terminal control characters are matched on purpose: output is filtered before it reaches a terminal.
      "no-control-regex": "off",
    },
  },
  // Tests and the bench read JSON answers loosely.
  { files: ["test/**", "bench/**"], rules: { "@typescript-eslint/no-explicit-any": "off" } },
  { files: ["*.mjs", "scripts/**"], languageOptions: { globals: { process: "readonly", console: "readonly", __dirname: "readonly" } } },
);
