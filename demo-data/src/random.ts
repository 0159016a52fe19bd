/**
 * A small seeded pseudo-random generator, so that the same seed gives byte-identical demo data on every
 * machine and Node version (Math.random cannot be seeded).
 *
 * Decision: sfc32 seeded through cyrb128. Both are public-domain one-liners with good statistical
 * quality for this purpose; nothing here is cryptographic.
 */

/** Four 32-bit words hashed from `text` (cyrb128). */
export function hashText(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** A weighted choice: `[value, weight]` pairs; weights need not add up to anything in particular. */
export type Weighted<T> = ReadonlyArray<readonly [T, number]>;

/** A deterministic stream of numbers from one seed text (sfc32). */
export class Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seedText: string) {
    [this.#a, this.#b, this.#c, this.#d] = hashText(seedText);
    // The first outputs of sfc32 correlate with the seed; skip them.
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A number in [0, 1). */
  next(): number {
    this.#a >>>= 0;
    this.#b >>>= 0;
    this.#c >>>= 0;
    this.#d >>>= 0;
    let t = (this.#a + this.#b) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#d = (this.#d + 1) | 0;
    t = (t + this.#d) | 0;
    this.#c = (this.#c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** A whole number from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `probability` (0 to 1). */
  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** One element of a non-empty list, each equally likely. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('cannot pick from an empty list');
    return item;
  }

  /** One value of a weighted list, with probability proportional to its weight. */
  weighted<T>(choices: Weighted<T>): T {
    const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
    let point = this.next() * total;
    for (const [value, weight] of choices) {
      if (point < weight) return value;
      point -= weight;
    }
    const last = choices[choices.length - 1];
    if (last === undefined) throw new RangeError('cannot choose from an empty list');
    return last[0];
  }
}
