// Run inside an app image (node only, no dependencies): is /app/sbom.cdx.json a
// CycloneDX document that lists every npm package the image really holds, at
// the version it holds, and nothing the image was built with but does not ship?
// Prints one line: "<components> components, <packages> packages in node_modules".
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const fail = (why) => {
  console.error(`sbom-check: ${why}`);
  process.exit(1);
};
const bom = JSON.parse(fs.readFileSync('/app/sbom.cdx.json', 'utf8'));
if (bom.bomFormat !== 'CycloneDX' || !Array.isArray(bom.components)) fail('not a CycloneDX document with components');
// cyclonedx-npm nests a package's own copies of its dependencies inside its component.
const flatten = (components = []) => components.flatMap((c) => [c, ...flatten(c.components)]);
const components = flatten(bom.components);
const listed = new Set(components.map((c) => `${c.group ? `${c.group}/` : ''}${c.name}@${c.version}`));

// Every installed package (nested ones too), read from its package.json; the
// workspace's own libs are links, not packages from the registry.
const installed = new Set();
const walk = (dir) => {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.isSymbolicLink()) continue;
    const at = path.join(dir, entry.name);
    if (entry.name.startsWith('@')) {
      walk(at);
      continue;
    }
    const manifest = path.join(at, 'package.json');
    if (!fs.existsSync(manifest)) continue;
    const { name, version } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    installed.add(`${name}@${version}`);
    if (fs.existsSync(path.join(at, 'node_modules'))) walk(path.join(at, 'node_modules'));
  }
};
walk('/app/node_modules');
const missing = [...installed].filter((p) => !listed.has(p));
if (missing.length > 0) fail(`${missing.length} installed package(s) not in the SBOM: ${missing.slice(0, 5).join(', ')}`);
for (const devOnly of ['typescript', 'jest', 'nx', '@cyclonedx/cyclonedx-npm']) {
  if ([...listed].some((p) => p.startsWith(`${devOnly}@`))) fail(`lists ${devOnly}, a build tool the image does not ship`);
}
console.log(`${components.length} components, ${installed.size} packages in node_modules`);
