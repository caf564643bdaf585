/** CodeBeaker's version, as package.json says (esbuild inlines the JSON). */
import packageJson from "../package.json";

export const VERSION: string = packageJson.version;
