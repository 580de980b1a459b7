/** The package's version, read from package.json at build time (esbuild inlines the JSON). */
import { version } from '../package.json';

export const TOOL_VERSION: string = version;
