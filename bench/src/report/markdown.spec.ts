import { markdownTable, num, ratio } from './markdown';

describe('markdownTable', () => {
  it('pads columns to the widest cell and marks right-aligned ones in the rule', () => {
    const table = markdownTable(['name', 'req/s'], [['product', '1,234'], ['baseline', '99']], ['left', 'right']);
    expect(table.split('\n')).toEqual([
      '| name     | req/s |',
      '| -------- | ----: |',
      '| product  | 1,234 |',
      '| baseline |    99 |',
    ]);
  });

  it('fills missing cells so every row has the header’s columns', () => {
    expect(markdownTable(['a', 'b'], [['x']]).split('\n')[2]).toBe('| x   |     |');
  });
});

describe('num and ratio', () => {
  it('formats with thousands separators and fixed decimals, and a dash for missing figures', () => {
    expect(num(12345.678)).toBe('12,346');
    expect(num(0.456, 2)).toBe('0.46');
    expect(num(null)).toBe('–');
    expect(num(Number.NaN)).toBe('–');
    expect(ratio(0.8549)).toBe('0.85x');
    expect(ratio(undefined)).toBe('–');
  });
});
