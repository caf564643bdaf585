// The editor's run menus show for the languages in runtimes/: package.json's `when` clauses list them, since a
// menu is drawn before the extension activates (no context key of ours exists then). The build writes them.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** `resourceLangId =~ /^(python|…)$/` for the languages of runtimes/, in their order. */
export function languageCondition(root = "runtimes") {
  const languages = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, "language.json")))
    .map((entry) => JSON.parse(readFileSync(join(root, entry.name, "language.json"), "utf8")))
    .sort((a, b) => (a.order ?? 100) - (b.order ?? 100) || a.language.localeCompare(b.language))
    .map((language) => language.language);
  return `resourceLangId =~ /^(${languages.join("|")})$/`;
}

const CONDITION = /resourceLangId =~ \/\^\([^)]*\)\$\//g;

/** Rewrites package.json's language conditions when runtimes/ changed; says whether it wrote. */
export function writeMenuLanguages(file = "package.json", root = "runtimes") {
  const before = readFileSync(file, "utf8");
  const after = before.replace(CONDITION, languageCondition(root));
  if (after !== before) writeFileSync(file, after);
  return after !== before;
}
