/** A sort comparator. */
export type Comparator<T> = (a: T, b: T) => number;

/** Ascending order of strings (code-unit order, as ISO dates compare), missing values last. */
export function ascending(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/** Descending order of strings (code-unit order, as ISO dates compare), missing values last. */
export function descending(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a > b ? -1 : 1;
}

/** Orders by `key` with `order`. */
export function by<T>(key: (item: T) => string | null, order: (a: string | null, b: string | null) => number) {
  return (a: T, b: T): number => order(key(a), key(b));
}

/** The first comparator that tells `a` and `b` apart decides. */
export function thenBy<T>(...comparators: Comparator<T>[]): Comparator<T> {
  return (a, b) => {
    for (const compare of comparators) {
      const result = compare(a, b);
      if (result !== 0) return result;
    }
    return 0;
  };
}

/** The first of `items` in `order`, or null when there are none. Does not reorder `items`. */
export function firstBy<T>(items: readonly T[], order: Comparator<T>): T | null {
  let best: T | null = null;
  for (const item of items) {
    if (best === null || order(item, best) < 0) best = item;
  }
  return best;
}
