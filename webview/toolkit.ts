import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeDataGrid,
  vsCodeDataGridCell,
  vsCodeDataGridRow,
  vsCodeDivider,
  vsCodeDropdown,
  vsCodeOption,
} from "@vscode/webview-ui-toolkit";
import type { FromPanel, PanelState } from "./messages";

/**
 * The one module that touches @vscode/webview-ui-toolkit: its components are registered here, and the rest of
 * the panel uses their tags (vscode-button, vscode-data-grid, vscode-dropdown, …) like any element.
 */
export function registerToolkit(): void {
  provideVSCodeDesignSystem().register(
    vsCodeButton(),
    vsCodeDataGrid(),
    vsCodeDataGridRow(),
    vsCodeDataGridCell(),
    vsCodeDivider(),
    vsCodeDropdown(),
    vsCodeOption(),
  );
}

interface VsCodeApi {
  postMessage(message: FromPanel): void;
  getState(): PanelState | undefined;
  setState(state: PanelState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The webview's line to the extension (acquireVsCodeApi may be called once per page). */
export const vscode: VsCodeApi = acquireVsCodeApi();

/** An element with attributes and children, in one expression. */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K | string,
  attributes: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}
