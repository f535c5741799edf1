/**
 * package-lock.json after its names are renamed: its `packages` keyed by path
 * (node_modules/@acme/config...) are re-sorted as npm sorts them, so the file
 * is the one `npm install` would write and the next install changes nothing.
 */
export function sortedLockfile(text: string): string {
  const lock = JSON.parse(text);
  if (lock.packages) lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => a.localeCompare(b, 'en')));
  return `${JSON.stringify(lock, null, 2)}\n`;
}
