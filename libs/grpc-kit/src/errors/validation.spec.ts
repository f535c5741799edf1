import { codePointLength, requireUuid, truncate } from './validation';

describe('request validation helpers', () => {
  it('accepts UUIDs in any case and returns them lower-cased', () => {
    expect(requireUuid('01A2175A-62B6-7650-893F-60B1730166E9', 'id')).toBe('01a2175a-62b6-7650-893f-60b1730166e9');
  });

  it.each([
    ['', 'id: is required'],
    ['nope', 'id: must be a UUID, got "nope"'],
    ["1' OR '1'='1", `id: must be a UUID, got "1' OR '1'='1"`],
    ['01a2175a-62b6-7650-893f-60b1730166e9 ', 'id: must be a UUID'],
  ])('rejects %p', (value, message) => {
    expect(() => requireUuid(value, 'id')).toThrow(message);
  });

  it('counts code points, not UTF-16 units', () => {
    expect(codePointLength('😀😀')).toBe(2);
    expect('😀😀'.length).toBe(4);
  });

  it('truncates long input without splitting a surrogate pair', () => {
    expect(truncate('😀'.repeat(50), 3)).toBe('😀😀😀…');
  });
});
