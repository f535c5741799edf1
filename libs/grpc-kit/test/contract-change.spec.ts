import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { create, createFileRegistry, fromBinary, type DescMessage } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { firstRuleViolation, jsonSchemaOf } from '../src';

// What docs/contracts.md promises: a field and its rule are written once, in
// the proto, and the edge's schema, its OpenAPI schema and the rule checks
// follow. This adds `note` to OrderItem in a scratch copy of proto/, compiles
// it the way `npm run proto:generate` does (tools/scripts/proto-inputs.mjs),
// and looks at what the derivations make of the result.
const ROOT = resolve(__dirname, '../../..');

describe('a field added to the proto (scratch copy)', () => {
  let scratch: string;
  let orderItem: DescMessage;
  let createOrder: DescMessage;

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'contract-change-'));
    cpSync(join(ROOT, 'proto'), join(scratch, 'proto'), { recursive: true });
    const file = join(scratch, 'proto/acme/order/v1/order.proto');
    const proto = readFileSync(file, 'utf8');
    const changed = proto.replace(
      /message OrderItem \{/,
      'message OrderItem {\n  // A note for the packer.\n  string note = 4 [(buf.validate.field).string.max_len = 140];\n',
    );
    expect(changed).not.toBe(proto);
    writeFileSync(file, changed);
    const image = join(scratch, 'image.binpb');
    const script = `import(${JSON.stringify(join(ROOT, 'tools/scripts/proto-inputs.mjs'))}).then((m) => m.buildImage(process.argv[1], process.argv[2]))`;
    execFileSync(process.execPath, ['-e', script, join(scratch, 'proto'), image], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(image)));
    orderItem = registry.getMessage('acme.order.v1.OrderItem')!;
    createOrder = registry.getMessage('acme.order.v1.CreateOrderRequest')!;
  }, 60_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('is in the edge schema the gateway checks JSON with (unknown fields are refused, so it could not be sent before)', () => {
    expect(jsonSchemaOf(orderItem, { purpose: 'check' }).properties).toMatchObject({ note: { type: 'string' } });
  });

  it('is in the OpenAPI schema, with its rule', () => {
    expect(jsonSchemaOf(orderItem, { purpose: 'document' }).properties).toMatchObject({ note: { type: 'string', maxLength: 140 } });
  });

  it('has its rule enforced, with the field named, at the services and the edge alike', () => {
    const request = (note: string) =>
      create(createOrder, { userId: '01a2175a-62b6-7650-893f-60b1730166e9', idempotencyKey: 'k', items: [{ sku: 'A', quantity: 1, note }] } as never);
    expect(firstRuleViolation(createOrder, request('fragile'))).toBeUndefined();
    expect(firstRuleViolation(createOrder, request('x'.repeat(141)))).toEqual({ field: 'items[0].note', reason: 'must be at most 140 characters, got 141' });
  });
});
