/**
 * The CLI's version: package.json's, embedded by the bundler at build time (esbuild keeps only the one
 * key of the JSON), so `guardrail --version` needs no file next to dist/guardrail.cjs.
 */
import { version } from '../package.json';

export const VERSION: string = version;
