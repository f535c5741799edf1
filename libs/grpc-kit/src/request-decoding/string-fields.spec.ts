import { create, createFileRegistry, type DescMessage } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import {
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
  FileDescriptorProtoSchema,
} from '@bufbuild/protobuf/wkt';
import { stringFieldCheckFor } from './string-fields';

// message Inner { string text = 1; bytes raw = 2; repeated string tags = 3; }
// message Outer { string name = 1; Inner one = 2; repeated Inner many = 3; map<string, string> labels = 4;
//                 int64 count = 5; Outer next = 6; bytes blob = 7; }
// message Numbers { int32 n = 1; }
const field = (name: string, number: number, type: Type, typeName = '', label = Label.OPTIONAL) => ({ name, number, type, typeName, label });
const registry = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: 'test.proto',
    package: 'test',
    syntax: 'proto3',
    messageType: [
      { name: 'Inner', field: [field('text', 1, Type.STRING), field('raw', 2, Type.BYTES), field('tags', 3, Type.STRING, '', Label.REPEATED)] },
      {
        name: 'Outer',
        field: [
          field('name', 1, Type.STRING),
          field('one', 2, Type.MESSAGE, '.test.Inner'),
          field('many', 3, Type.MESSAGE, '.test.Inner', Label.REPEATED),
          field('labels', 4, Type.MESSAGE, '.test.Outer.LabelsEntry', Label.REPEATED),
          field('count', 5, Type.INT64),
          field('next', 6, Type.MESSAGE, '.test.Outer'),
          field('blob', 7, Type.BYTES),
        ],
        nestedType: [{ name: 'LabelsEntry', field: [field('key', 1, Type.STRING), field('value', 2, Type.STRING)], options: { mapEntry: true } }],
      },
      { name: 'Numbers', field: [field('n', 1, Type.INT32)] },
    ],
  }),
  () => undefined,
);
const message = (name: string): DescMessage => registry.getMessage(`test.${name}`)!;
const check = stringFieldCheckFor(message('Outer'))!;

const BAD = Uint8Array.from([0x41, 0xff]);
const utf8 = (text: string) => new TextEncoder().encode(text);
const ld = (w: BinaryWriter, number: number, bytes: Uint8Array) => w.tag(number, WireType.LengthDelimited).bytes(bytes);
const inner = (text: Uint8Array, tags: Uint8Array[] = []) => {
  const w = ld(new BinaryWriter(), 1, text);
  ld(w, 2, BAD); // bytes: anything goes
  for (const tag of tags) ld(w, 3, tag);
  return w.finish();
};

describe('stringFieldCheckFor', () => {
  it('accepts UTF-8 in every string field, and ignores bytes and unknown fields', () => {
    const w = ld(new BinaryWriter(), 1, utf8('Zoë 李小龍 👩🏽‍💻'));
    ld(w, 2, inner(utf8('ключ'), [utf8('a'), utf8('б')]));
    w.tag(5, WireType.Varint).int64(-1);
    ld(w, 7, BAD);
    ld(w, 99, BAD);
    expect(check(w.finish())).toBeUndefined();
    expect(check(new Uint8Array())).toBeUndefined();
  });

  it.each<[string, (w: BinaryWriter) => void, string]>([
    ['a top-level string', (w) => ld(w, 1, BAD), 'name'],
    ['a nested message', (w) => ld(w, 2, inner(BAD)), 'one.text'],
    ['a repeated string in a repeated message, counting earlier elements', (w) => {
      ld(w, 3, inner(utf8('ok')));
      ld(w, 1, utf8('between'));
      ld(w, 3, inner(utf8('ok'), [utf8('ok'), BAD])); // many[1].tags[1]
    }, 'many[1].tags[1]'],
    ['a map value', (w) => {
      ld(w, 4, ld(ld(new BinaryWriter(), 1, utf8('k')), 2, utf8('v')).finish());
      ld(w, 4, ld(ld(new BinaryWriter(), 1, utf8('k')), 2, BAD).finish());
    }, 'labels[1].value'],
    ['a recursive message', (w) => ld(w, 6, ld(new BinaryWriter(), 6, ld(new BinaryWriter(), 1, BAD).finish()).finish()), 'next.next.name'],
  ])('names invalid UTF-8 in %s by its proto path', (_case, write, path) => {
    const w = new BinaryWriter();
    write(w);
    expect(check(w.finish())).toEqual({ path, problem: 'utf8' });
  });

  it.each([
    ['a string longer than what is left', [0x0a, 0x05, 0x41], { path: 'name', problem: 'its length runs past the end of its message' }],
    ['a string running out of its nested message', [0x12, 0x03, 0x0a, 0x05, 0x41, 0x42, 0x43, 0x44], { path: 'one.text', problem: 'its length runs past the end of its message' }],
    ['a string sent with the varint wire type', [0x08, 0x01], { path: 'name', problem: 'wire type 0 where a length-delimited field belongs' }],
    ['field number 0', [0x00, 0x01], { path: '', problem: 'field number 0 is not allowed' }],
  ])('finds bytes that are not protobuf in what it walks: %s', (_case, bytes, problem) => {
    expect(check(Uint8Array.from(bytes))).toEqual(problem);
  });

  it('has nothing to check in a message without strings', () => {
    expect(stringFieldCheckFor(message('Numbers'))).toBeUndefined();
  });
});
