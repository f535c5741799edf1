// The entry Nx loads for this plugin's generators. Nx runs a local plugin's
// TypeScript only through @swc-node/register or ts-node (or Node's own type
// stripping, which Node 20 lacks), and this workspace installs neither: so the
// plugin is compiled with the workspace's own tsc, here, before it is used.
// `tsc -b` is incremental: a no-op (about a second) when dist/ is current.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', join(__dirname, 'tsconfig.lib.json')], { stdio: 'inherit' });

module.exports = require('./dist/index.js');
