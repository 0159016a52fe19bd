/** How often the sampler reads this process's memory. */
const SAMPLE_INTERVAL_MS = 100;
const BYTES_PER_MB = 1024 * 1024;

/** Peaks of this process's memory between {@link sampleMemory} and its `stop()`, in MB. */
export interface MemoryPeaks {
  readonly rssPeakMb: number;
  readonly heapUsedPeakMb: number;
  readonly samples: number;
}

/**
 * Samples `process.memoryUsage()` every 100 ms (and once at start and stop) until `stop()`, keeping
 * the peaks of the resident set and of the V8 heap in use. Timers do not fire while the event loop is
 * blocked, so a peak inside one long synchronous stretch can be missed; the resident set rarely
 * shrinks quickly, so the next sample mostly catches it.
 *
 * @example
 * const sampler = sampleMemory();
 * await work();
 * const { rssPeakMb } = sampler.stop();
 */
export function sampleMemory(): { stop(): MemoryPeaks } {
  let rssPeak = 0;
  let heapPeak = 0;
  let samples = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    rssPeak = Math.max(rssPeak, usage.rss);
    heapPeak = Math.max(heapPeak, usage.heapUsed);
    samples += 1;
  };
  sample();
  const timer = setInterval(sample, SAMPLE_INTERVAL_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { rssPeakMb: rssPeak / BYTES_PER_MB, heapUsedPeakMb: heapPeak / BYTES_PER_MB, samples };
    },
  };
}

/** This process's resident set and V8 heap in use now, in MB. */
export function memoryNowMb(): { rssMb: number; heapUsedMb: number } {
  const usage = process.memoryUsage();
  return { rssMb: usage.rss / BYTES_PER_MB, heapUsedMb: usage.heapUsed / BYTES_PER_MB };
}
