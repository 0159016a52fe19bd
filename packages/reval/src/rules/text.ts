/** `value` itself, or null when it is blank (the rules treat a blank field as a missing one). */
export function blankToNull(value: string | null | undefined): string | null {
  return value === null || value === undefined || value.trim() === '' ? null : value;
}

/** Joins `values` with `" | "` after dropping repeats (first occurrence kept); null when empty. */
export function joinDistinct(values: readonly string[]): string | null {
  const distinct = [...new Set(values)];
  return distinct.length === 0 ? null : distinct.join(LIST_SEPARATOR);
}

/** How the master document joins several programme names or placement grades. */
export const LIST_SEPARATOR = ' | ';
