import { type CpuProfile, moduleOf, summarizeProfile } from './summarize';

const ROOT = '/work/repo';

describe('moduleOf', () => {
  it('names the npm package, scoped or not, even when nested', () => {
    expect(moduleOf('file:///work/repo/node_modules/@grpc/grpc-js/build/src/server.js', 'f', ROOT)).toBe('@grpc/grpc-js');
    expect(moduleOf('file:///work/repo/node_modules/typeorm/node_modules/debug/src/index.js', 'f', ROOT)).toBe('debug');
    expect(moduleOf('file:///work/repo/node_modules/pg/lib/client.js', 'f', ROOT)).toBe('pg');
  });

  it('names the workspace project, Node subsystem, or V8 bucket', () => {
    expect(moduleOf('file:///work/repo/libs/grpc-kit/dist/server/health.js', 'f', ROOT)).toBe('libs/grpc-kit');
    expect(moduleOf('node:internal/http2/core', 'f', ROOT)).toBe('node:http2');
    expect(moduleOf('node:net', 'f', ROOT)).toBe('node:net');
    expect(moduleOf('', '(garbage collector)', ROOT)).toBe('(garbage collector)');
    expect(moduleOf('', 'writev', ROOT)).toBe('(native)');
  });
});

describe('summarizeProfile', () => {
  // A pg function calling a grpc-js one, idle and GC, sampled about every 100 µs.
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 4, 5] },
      { id: 2, callFrame: { functionName: 'parse', url: 'file:///work/repo/node_modules/pg/lib/result.js', lineNumber: 9 }, children: [3] },
      { id: 3, callFrame: { functionName: 'write', url: 'file:///work/repo/node_modules/@grpc/grpc-js/build/src/call.js', lineNumber: 41 } },
      { id: 4, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
      { id: 5, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 } },
    ],
    startTime: 1_000,
    endTime: 1_000 + 1_000,
    samples: [2, 2, 3, 4, 4, 4, 4, 5, 2],
    timeDeltas: [0, 100, 100, 100, 100, 100, 100, 100, 200],
  };

  it('attributes each sample the time until the next one, keeps idle apart and ranks by share of busy time', () => {
    const summary = summarizeProfile(profile, ROOT);
    // Samples at 1000, 1100, ..., 1700, 1900; the last one lasts until endTime (2000).
    expect(summary.idleUs).toBe(400);
    expect(summary.busyUs).toBe(600);
    expect(summary.modules).toEqual([
      { name: 'pg', us: 300, percent: 50 },
      { name: '(garbage collector)', us: 200, percent: (200 / 600) * 100 },
      { name: '@grpc/grpc-js', us: 100, percent: (100 / 600) * 100 },
    ]);
    // grpc-js's write was called by pg's parse: pg's calls cost 300 + 100 in all.
    expect(summary.modulesInclusive.map((m) => [m.name, m.us])).toEqual([
      ['pg', 400],
      ['(garbage collector)', 200],
      ['@grpc/grpc-js', 100],
    ]);
    expect(summary.functions[0]).toEqual({ name: 'parse (pg result.js:10)', us: 300, percent: 50 });
  });

  it('keeps only the top entries', () => {
    expect(summarizeProfile(profile, ROOT, 1).modules.map((m) => m.name)).toEqual(['pg']);
  });
});
