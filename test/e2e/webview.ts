import type { FrameLocator, Page } from "playwright-core";

/**
 * The content of a webview panel: VS Code shows it in an iframe (the webview's host) holding another (its page).
 * `title` is the panel's tab title.
 */
export function webviewContent(page: Page, title: string): FrameLocator {
  return page
    .frameLocator(`iframe.webview.ready[title=${JSON.stringify(title)}], iframe.webview.ready`)
    .first()
    .frameLocator("#active-frame");
}

/** The active editor's text as the user sees it (Monaco renders spaces as non-breaking ones). */
export async function activeEditorText(page: Page): Promise<string> {
  const text = await page.locator(".editor-group-container.active .editor-instance .monaco-editor .view-lines").innerText();
  return text.replace(/\u00a0/g, " ");
}
