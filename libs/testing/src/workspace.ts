import { resolve } from 'node:path';

/** Repository root (libs/testing/{src,dist} are two levels below it). */
export const WORKSPACE_ROOT = resolve(__dirname, '../../..');

/** Absolute path of a file in the workspace. */
export const workspacePath = (...segments: string[]): string => resolve(WORKSPACE_ROOT, ...segments);
