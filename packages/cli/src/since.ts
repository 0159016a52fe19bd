const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A `--since` value as a time: an ISO-8601 date or time (`2024-05-01`, `2024-05-01T12:00:00Z`) or an age
 * before `now` (`90s`, `15m`, `2h`, `1d`). `undefined` when it is neither.
 */
export function parseSince(value: string, now: Date): Date | undefined {
  const age = /^(\d+)([smhd])$/.exec(value.trim());
  if (age) {
    const [, amount, unit] = age;
    return new Date(now.getTime() - Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS]);
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time);
}
