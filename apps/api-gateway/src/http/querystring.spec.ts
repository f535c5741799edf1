import { parseQuerystring } from './querystring';

describe('parseQuerystring', () => {
  it('parses as Fastify\'s default does: pairs, + as space, repeats as arrays, bare names as empty', () => {
    expect({ ...parseQuerystring('page_size=2&page_token=a%2Bb%3D') }).toEqual({ page_size: '2', page_token: 'a+b=' });
    expect({ ...parseQuerystring('a=1&b=2&a=3&a=4') }).toEqual({ a: ['1', '3', '4'], b: '2' });
    expect({ ...parseQuerystring('a+b=c+d&flag&&=x&') }).toEqual({ 'a b': 'c d', flag: '', '': 'x' });
    expect({ ...parseQuerystring('') }).toEqual({});
  });

  it('has no prototype a name could pollute', () => {
    const parsed = parseQuerystring('__proto__=x&constructor=y');
    expect(Object.getPrototypeOf(parsed)).toBeNull();
    expect(Object.keys(parsed)).toEqual(['__proto__', 'constructor']);
  });

  it('decodes UTF-8 escapes and keeps escapes that are not UTF-8 visible as lone surrogates, in names and values', () => {
    expect({ ...parseQuerystring('name=caf%C3%A9&lit=%25E9&pct=50%') }).toEqual({ name: 'café', lit: '%E9', pct: '50%' });
    expect({ ...parseQuerystring('page_token=%E9&%ED%A0%80=1') }).toEqual({ page_token: '\udce9', '\udced\udca0\udc80': '1' });
  });
});
