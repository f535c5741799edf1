#!/usr/bin/env node
// The npm audit gate for what ships: production dependencies only
// (`npm audit --omit=dev`). Every advisory at or above moderate fails the gate
// unless audit-allowlist.json names it with the reason it is accepted; an
// allowlisted advisory that no longer applies is reported, so the list does
// not outlive its reasons.
//
// Registries that do not serve the advisory endpoint (ours answers 405 to
// POST /-/npm/v1/security/advisories/bulk) cannot be audited: the gate says
// so and skips, unless AUDIT_REQUIRED=1 (the GitHub workflow sets it), where
// an unreachable advisory service is a failure like any other.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const FAILING = new Set(['moderate', 'high', 'critical']);
const required = process.env.AUDIT_REQUIRED === '1';
const allowlist = JSON.parse(readFileSync(new URL('../../audit-allowlist.json', import.meta.url), 'utf8')).accepted;

const audit = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
let report;
try {
  report = JSON.parse(audit.stdout);
} catch {
  console.error(`audit-gate: npm audit printed no JSON (exit ${audit.status}):\n${audit.stderr}`);
  process.exit(1);
}

if (report.statusCode || report.error?.code) {
  const why = report.message ?? report.error?.summary ?? `HTTP ${report.statusCode}`;
  if (required) {
    console.error(`audit-gate: FAILED, the advisory service did not answer: ${why}`);
    process.exit(1);
  }
  console.log(`audit-gate: SKIPPED, this registry does not serve advisories (${why}); the GitHub workflow runs the gate with AUDIT_REQUIRED=1`);
  process.exit(0);
}

// npm 7+ report: vulnerabilities by package, each with `via` entries (advisory objects or package names).
const found = new Map();
for (const vulnerability of Object.values(report.vulnerabilities ?? {})) {
  for (const via of vulnerability.via) {
    if (typeof via !== 'object') continue;
    const id = via.url?.split('/').pop() ?? String(via.source);
    found.set(id, { id, severity: via.severity, title: via.title, package: via.name, range: via.range });
  }
}
const counts = report.metadata?.vulnerabilities ?? {};
console.log(`audit-gate: production dependencies: ${Object.entries(counts).map(([s, n]) => `${s} ${n}`).join(', ')}`);
const blocking = [...found.values()].filter((a) => FAILING.has(a.severity) && !(a.id in allowlist));
for (const a of [...found.values()].filter((a) => a.id in allowlist)) console.log(`  accepted ${a.id} (${a.severity}, ${a.package}): ${allowlist[a.id]}`);
for (const id of Object.keys(allowlist).filter((id) => !found.has(id))) console.log(`  stale allowlist entry ${id}: no longer reported, remove it`);
for (const a of blocking) console.error(`  BLOCKING ${a.id} (${a.severity}) ${a.package} ${a.range}: ${a.title}`);
if (blocking.length > 0) {
  console.error(`audit-gate: FAILED, ${blocking.length} advisory(ies) neither fixed nor accepted in audit-allowlist.json`);
  process.exit(1);
}
console.log('audit-gate: passes');
