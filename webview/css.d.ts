/** esbuild bundles the stylesheet beside the script (dist/webview.css). */
declare module "*.css";
