/**
 * A small seeded pseudo-random generator (mulberry32): the same seed gives the
 * same fault schedule and the same workload choices, so a failing run can be
 * repeated with `--seed`. Not for anything secret.
 */
export class Prng {
  private state: number;

  constructor(readonly seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) throw new Error(`a seed is an integer 0..2^32-1, got ${seed}`);
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) throw new Error(`int(${min}, ${max}): not a range of integers`);
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** One of `weights`' keys, each as likely as its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    if (!(total > 0)) throw new Error('weighted: no positive weight');
    let x = this.next() * total;
    for (const [key, w] of entries) {
      x -= w;
      if (x < 0) return key;
    }
    return (entries[entries.length - 1] as [K, number])[0];
  }

  /**
   * An independent generator for one part of the run (a virtual client, the
   * schedule), derived from this seed and `label`: adding a client does not
   * change what the others or the schedule draw.
   */
  fork(label: string): Prng {
    let hash = 0x811c9dc5; // FNV-1a
    for (const char of label) hash = Math.imul(hash ^ (char.codePointAt(0) as number), 0x01000193) >>> 0;
    return new Prng((this.seed ^ hash) >>> 0);
  }
}
