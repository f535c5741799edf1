import { join } from 'node:path';

/**
 * tools/workspace-plugin: this file compiles to dist/plugin-root.js and runs
 * from src/ under Jest, and both sit directly in the plugin's root.
 */
export const PLUGIN_ROOT = join(__dirname, '..');
