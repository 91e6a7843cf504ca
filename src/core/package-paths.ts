/**
 * Folders of the installed package, found from this module's place: src/core/ (tests), dist/core/ (tsc) and
 * dist/bundle/ (the CLI bundle, scripts/bundle-cli.mjs) are all two levels below the package root, so one relative
 * step serves all three. Modules that need package files ask here instead of counting `../` from their own depth.
 */
import { fileURLToPath } from 'node:url';

const ROOT = new URL('../../', import.meta.url);

/** The package root, with a trailing separator. */
export const PACKAGE_ROOT = fileURLToPath(ROOT);
/** The fonts the visible signature embeds. */
export const FONT_DIR = fileURLToPath(new URL('assets/fonts/', ROOT));
