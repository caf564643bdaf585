import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * User settings for a run: the terminal renders as DOM text (readable), no startup editor, chat or telemetry, and
 * an editor that types exactly what it is given (no auto-closing, auto-indent or suggestions to accept).
 * Workspace Trust stays on, with the startup prompt forced ("always") so the workbench asks about the folder at
 * once and the harness answers it as a user would (Workbench.trustFolder); the default ("never") opens it in
 * Restricted Mode silently, where an extension that needs trust stays disabled.
 */
export const userSettings = {
  "security.workspace.trust.enabled": true,
  "security.workspace.trust.startupPrompt": "always",
  "security.workspace.trust.banner": "never",
  "terminal.integrated.gpuAcceleration": "off",
  "terminal.integrated.enablePersistentSessions": false,
  "terminal.integrated.showExitAlert": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "chat.disableAIFeatures": true,
  "telemetry.telemetryLevel": "off",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "update.mode": "none",
  "git.enabled": false,
  "files.autoSave": "off",
  "editor.autoClosingBrackets": "never",
  "editor.autoClosingQuotes": "never",
  "editor.autoClosingOvertype": "never",
  "editor.autoIndent": "none",
  "editor.formatOnType": false,
  "editor.formatOnPaste": false,
  "editor.quickSuggestions": { other: false, comments: false, strings: false },
  "editor.suggestOnTriggerCharacters": false,
  "editor.acceptSuggestionOnEnter": "off",
  "editor.parameterHints.enabled": false,
  "editor.hover.enabled": "off",
} as const;

export function writeUserSettings(userDataDir: string, settings: Record<string, unknown> = userSettings): void {
  const dir = join(userDataDir, "User");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "settings.json"), JSON.stringify(settings, null, 2) + "\n");
}
