/**
 * The apps in groups that can start together: every app's upstreams are in
 * earlier groups, so nothing starts before what it calls (and stopping runs
 * the groups backwards, callers first). Derived from the manifests' upstreams,
 * never written down.
 */
export function startGroups(apps: readonly string[], upstreamsOf: (app: string) => readonly string[]): string[][] {
  for (const app of apps) {
    for (const upstream of upstreamsOf(app)) {
      if (!apps.includes(upstream)) throw new Error(`${app} calls ${upstream}, which is not among the apps launched (${apps.join(', ')})`);
    }
  }
  const groups: string[][] = [];
  const placed = new Set<string>();
  while (placed.size < apps.length) {
    const group = apps.filter((app) => !placed.has(app) && upstreamsOf(app).every((upstream) => placed.has(upstream)));
    if (group.length === 0) throw new Error(`the apps call each other in a cycle: ${apps.filter((app) => !placed.has(app)).join(', ')}`);
    for (const app of group) placed.add(app);
    groups.push(group);
  }
  return groups;
}
