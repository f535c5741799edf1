import { resolve } from 'node:path';

/** The repository root (this file lives in deploy/src). */
export const REPO_ROOT = resolve(__dirname, '../..');

export const repoPath = (...segments: string[]): string => resolve(REPO_ROOT, ...segments);
