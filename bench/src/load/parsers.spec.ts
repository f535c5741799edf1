import { grpcFrame } from '@acme/testing';
import { GrpcMessageReader } from './grpc-message-reader';
import { grpcUnframe } from './grpc-messages';
import { parseH2loadLog } from './h2load';
import { parseWrkOutput, wrkScript } from './wrk';

describe('parseH2loadLog', () => {
  it('takes the latency of each answered request and counts the others apart', () => {
    const log = ['1795689896796412\t200\t1105', '1795689896796413\t200\t987', '1795689896796414\t0\t11057', '1795689896796415\t503\t40', ''].join('\n');
    expect(parseH2loadLog(log)).toEqual({ latenciesUs: [1105, 987], incomplete: 1, nonOk: 1 });
  });
});

describe('wrk', () => {
  it('reads the JSON line the script’s done() prints among wrk’s own output', () => {
    const stdout = [
      'Running 6s test @ http://127.0.0.1:8080/orders',
      '  1 threads and 16 connections',
      'BENCH_WRK {"requests":1200,"durationUs":6000000,"connect":0,"read":0,"write":0,"status":3,"timeout":0,"p50":4000,"p90":7000,"p99":12000,"max":30000,"mean":4500.5}',
      'Requests/sec:    200.00',
    ].join('\n');
    expect(parseWrkOutput(stdout)).toMatchObject({ requests: 1200, status: 3, p99: 12000, mean: 4500.5 });
    expect(() => parseWrkOutput('Running 6s test')).toThrow(/no result line/);
  });

  it('writes a POST script with a per-thread, per-request Idempotency-Key and rotating users', () => {
    const script = wrkScript({ kind: 'create-order', userIds: ['u1', 'u2'], itemsJson: '[{"sku":"A","quantity":1,"unitPriceCents":"1"}]', keyPrefix: 'run-7' });
    expect(script).toContain('local users = { "u1", "u2" }');
    expect(script).toContain('local prefix = "run-7"');
    expect(script).toContain('["Idempotency-Key"] = prefix .. "-" .. tostring(thread_id) .. "-" .. counter');
    expect(script).toContain('return wrk.format("POST", "/orders", headers, body)');
    expect(wrkScript({ kind: 'get', path: '/users/x' })).not.toContain('request = function');
  });
});

describe('GrpcMessageReader', () => {
  const frame = (payload: string) => grpcFrame(Buffer.from(payload));

  it('hands out each message once it is complete, however the body is split into chunks', () => {
    const body = Buffer.concat([frame('first'), frame(''), frame('third one')]);
    const reader = new GrpcMessageReader();
    const messages: string[] = [];
    // One byte at a time: every prefix and payload straddles chunks.
    for (let i = 0; i < body.length; i++) messages.push(...reader.push(body.subarray(i, i + 1)).map((m) => m.toString()));
    expect(messages).toEqual(['first', '', 'third one']);
    expect(reader.pendingBytes).toBe(0);
    expect(new GrpcMessageReader().push(body).map((m) => m.toString())).toEqual(['first', '', 'third one']);
  });

  it('holds back an unfinished message, and refuses a compressed one', () => {
    const reader = new GrpcMessageReader();
    expect(reader.push(frame('abcdef').subarray(0, 8))).toEqual([]);
    expect(reader.pendingBytes).toBe(8);
    expect(() => grpcUnframe(frame('abcdef').subarray(0, 8))).toThrow(/ends inside a message/);
    expect(() => new GrpcMessageReader().push(grpcFrame(Buffer.from('x'), true))).toThrow(/compressed/);
  });
});
