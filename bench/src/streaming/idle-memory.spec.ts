import { mbPer1000Streams, rssSettled } from './idle-memory';

describe('mbPer1000Streams', () => {
  it('divides the growth from the fewest to the most streams by the thousands of streams added', () => {
    expect(mbPer1000Streams([{ streams: 5_000, rssMb: 150 }, { streams: 0, rssMb: 120 }, { streams: 1_000, rssMb: 130 }])).toBe(6);
    expect(mbPer1000Streams([{ streams: 1_000, rssMb: 130 }, { streams: 3_000, rssMb: 140 }])).toBe(5);
  });

  it('refuses a single stream count', () => {
    expect(() => mbPer1000Streams([{ streams: 1_000, rssMb: 1 }])).toThrow(/two different stream counts/);
    expect(() => mbPer1000Streams([])).toThrow(/two different stream counts/);
  });
});

describe('rssSettled', () => {
  it('is settled once the last samples of the window stay within the tolerance', () => {
    expect(rssSettled([100, 120, 130, 130.5, 130.2, 130.9], 4, 1)).toBe(true);
    expect(rssSettled([100, 120, 130, 131.5, 130.2, 130.9], 4, 1)).toBe(false);
    expect(rssSettled([130, 130], 4, 1)).toBe(false);
  });
});
