import { readFileSync } from 'node:fs';

/** Linux's USER_HZ, the unit of /proc/stat and /proc/<pid>/stat CPU times, on every mainstream distribution. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU seconds the whole machine has spent busy so far (every core; everything but idle and iowait,
 * from /proc/stat), to tell Postgres's share of a step from this process's; NaN when unknown.
 */
export function machineBusyCpuSeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    // cpu user nice system idle iowait irq softirq steal ...
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return (total - idle) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** User plus system CPU seconds this process has used so far. */
export function processCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** User plus system CPU seconds process `pid` has used so far (Linux /proc); NaN when unknown (gone, not Linux). */
export function pidCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command (field 2) may hold spaces; it ends at the last ')'. utime and stime are fields 14, 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}
