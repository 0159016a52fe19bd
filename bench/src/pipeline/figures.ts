import type { Percentiles } from '../support/percentiles.js';
import type { Figures } from '../support/report.js';
import type { BaselineResult } from './baseline.js';
import type { SteadyRateResult } from './latency.js';
import type { CpuShares } from './service-cpu.js';
import type { ThroughputResult } from './throughput.js';

/** The targets on this machine: printed beside the figures, never enforced. */
const TARGETS = {
  endToEndChangesPerSecond: 5_000,
  lowRateCommitToIndexP50Ms: 50,
  lowRateCommitToIndexP99Ms: 250,
  /** With `--background-load`: degrade gracefully, no growing backlog and p99 within a second. */
  lowRateUnderLoadCommitToIndexP99Ms: 1_000,
} as const;

/** Everything one run measured. */
export interface PipelineResults {
  readonly throughput: { readonly bulk: ThroughputResult; readonly single: ThroughputResult };
  readonly steady: { readonly low: SteadyRateResult; readonly high: SteadyRateResult };
  readonly baseline: { readonly bulk: BaselineResult; readonly single: BaselineResult };
  /** CPU during each HTTP measurement, by the figures' prefix. */
  readonly cpu: Readonly<Record<'bulk' | 'single' | 'lowRate' | 'highRate', CpuShares>>;
}

function cpuFigures(cpu: PipelineResults['cpu']): Figures {
  const figures: Record<string, number> = {};
  for (const [prefix, shares] of Object.entries(cpu)) {
    figures[`${prefix}RepositoryServiceCpuPercent`] = shares.repositoryServicePercent;
    figures[`${prefix}WorkersCpuPercent`] = shares.workersPercent;
    figures[`${prefix}EmulatorCpuPercent`] = shares.emulatorPercent;
    figures[`${prefix}BenchCpuPercent`] = shares.benchPercent;
    figures[`${prefix}PostgresRepositoryServiceCpuPercent`] = shares.postgresRepositoryServicePercent;
    figures[`${prefix}PostgresWorkersCpuPercent`] = shares.postgresWorkersPercent;
    figures[`${prefix}PostgresOthersCpuPercent`] = shares.postgresOthersPercent;
    figures[`${prefix}MachineCpuPercent`] = shares.machinePercent;
  }
  return figures;
}

function throughputFigures(prefix: string, result: ThroughputResult): Figures {
  return {
    [`${prefix}Records`]: result.records,
    [`${prefix}Requests`]: result.requests,
    [`${prefix}AcceptedChangesPerSecond`]: result.acceptedChangesPerSecond,
    [`${prefix}EndToEndChangesPerSecond`]: result.endToEndChangesPerSecond,
    [`${prefix}WriteMs`]: result.writeMs,
    [`${prefix}EndToEndMs`]: result.endToEndMs,
    [`${prefix}IndexLagMs`]: result.indexLagMs,
    [`${prefix}Visible`]: result.visible,
    [`${prefix}Completed`]: result.completed,
    [`${prefix}RequestP50Ms`]: result.requestMs.p50,
    [`${prefix}RequestP99Ms`]: result.requestMs.p99,
  };
}

function spread(prefix: string, value: Percentiles): Figures {
  return {
    [`${prefix}P50Ms`]: value.p50,
    [`${prefix}P95Ms`]: value.p95,
    [`${prefix}P99Ms`]: value.p99,
    [`${prefix}MaxMs`]: value.max,
  };
}

function steadyFigures(prefix: string, result: SteadyRateResult): Figures {
  return {
    [`${prefix}PerSecond`]: result.ratePerSecond,
    [`${prefix}AchievedPerSecond`]: result.achievedPerSecond,
    [`${prefix}Writes`]: result.writes,
    [`${prefix}Failed`]: result.failed,
    [`${prefix}Overloaded`]: result.overloaded,
    [`${prefix}NotSeen`]: result.notSeen,
    [`${prefix}WriteP50Ms`]: result.writeMs.p50,
    [`${prefix}WriteP99Ms`]: result.writeMs.p99,
    [`${prefix}ScheduleLagP99Ms`]: result.scheduleLagMs.p99,
    ...spread(`${prefix}CommitToIndex`, result.commitToIndexLowerMs),
    [`${prefix}CommitToIndexMinMs`]: result.commitToIndexLowerMs.min,
    ...spread(`${prefix}AnswerToSeen`, result.answerToSeenMs),
    ...spread(`${prefix}RequestToSeen`, result.requestToSeenMs),
    [`${prefix}BacklogMidway`]: result.backlogMidway,
    [`${prefix}BacklogAtEnd`]: result.backlogAtEnd,
    [`${prefix}BacklogGrowing`]: result.isBacklogGrowing,
  };
}

function baselineFigures(prefix: string, result: BaselineResult): Figures {
  return {
    [`${prefix}PlainTxPerSecond`]: result.plain.transactionsPerSecond,
    [`${prefix}PlainChangesPerSecond`]: result.plain.changesPerSecond,
    [`${prefix}OutboxTxPerSecond`]: result.outbox.transactionsPerSecond,
    [`${prefix}OutboxChangesPerSecond`]: result.outbox.changesPerSecond,
    [`${prefix}OutboxRatio`]: result.outbox.changesPerSecond / result.plain.changesPerSecond,
  };
}

/**
 * The flat figures, in the order they print: the run's setting, throughput (imports, then single
 * writes), the steady rates, the baseline and its ratios, and the targets. `CommitToIndex…`
 * (answer -> `projected_at`) is the lower bound of commit -> index, `RequestToSeen…` (request
 * sent -> row first seen) the upper, and `AnswerToSeen…` what a writer sees (see `latency.ts`).
 */
export function pipelineFigures(setting: Figures, results: PipelineResults): Figures {
  const { throughput, steady, baseline } = results;
  return {
    ...setting,
    ...throughputFigures('bulk', throughput.bulk),
    ...throughputFigures('single', throughput.single),
    ...steadyFigures('lowRate', steady.low),
    ...steadyFigures('highRate', steady.high),
    ...baselineFigures('baselineBulk', baseline.bulk),
    ...baselineFigures('baselineSingle', baseline.single),
    ...cpuFigures(results.cpu),
    bulkEndToEndOverPlainRatio: throughput.bulk.endToEndChangesPerSecond / baseline.bulk.plain.changesPerSecond,
    singleEndToEndOverPlainRatio: throughput.single.endToEndChangesPerSecond / baseline.single.plain.changesPerSecond,
    targetEndToEndChangesPerSecond: TARGETS.endToEndChangesPerSecond,
    targetLowRateCommitToIndexP50Ms: TARGETS.lowRateCommitToIndexP50Ms,
    targetLowRateCommitToIndexP99Ms: TARGETS.lowRateCommitToIndexP99Ms,
    targetLowRateUnderLoadCommitToIndexP99Ms: TARGETS.lowRateUnderLoadCommitToIndexP99Ms,
  };
}

function formatNumber(value: number, unit: string): string {
  return Number.isFinite(value) ? `${value.toLocaleString('en-US', { maximumFractionDigits: 1 })}${unit}` : 'n/a';
}

/** Met when even the upper bound is within the target, missed when even the lower bound is not. */
function latencyVerdict(lower: number, upper: number, target: number): string {
  if (!Number.isFinite(lower) || !Number.isFinite(upper)) return 'not measured';
  if (upper <= target) return 'met';
  if (lower > target) return 'not met';
  return 'between the bounds';
}

/**
 * The figures against their targets, as lines for stdout before the report. A latency is met when
 * its upper bound is within the target, missed when even its lower bound is not, and otherwise
 * undecided: the truth lies between the bounds (see `latency.ts`).
 */
export function targetLines(results: PipelineResults, backgroundLoad: number): string[] {
  const { bulk } = results.throughput;
  const { low } = results.steady;
  const rate = bulk.endToEndChangesPerSecond;
  const rows: Array<[string, string, string, string]> = [
    [
      'end-to-end changes/s (NDJSON imports)',
      formatNumber(rate, '/s'),
      `≥ ${formatNumber(TARGETS.endToEndChangesPerSecond, '/s')}`,
      Number.isFinite(rate) ? (rate >= TARGETS.endToEndChangesPerSecond ? 'met' : 'not met') : 'not measured',
    ],
  ];
  const latencies: Array<[string, number, number, number]> =
    backgroundLoad > 0
      ? [
          [
            `p99 with ${backgroundLoad} busy ${backgroundLoad === 1 ? 'core' : 'cores'}`,
            low.commitToIndexLowerMs.p99,
            low.requestToSeenMs.p99,
            TARGETS.lowRateUnderLoadCommitToIndexP99Ms,
          ],
        ]
      : [
          ['p50', low.commitToIndexLowerMs.p50, low.requestToSeenMs.p50, TARGETS.lowRateCommitToIndexP50Ms],
          ['p99', low.commitToIndexLowerMs.p99, low.requestToSeenMs.p99, TARGETS.lowRateCommitToIndexP99Ms],
        ];
  for (const [label, lower, upper, target] of latencies) {
    rows.push([
      `commit -> index ${label} at ${low.ratePerSecond}/s`,
      `${formatNumber(lower, '')}–${formatNumber(upper, ' ms')}`,
      `≤ ${target} ms`,
      latencyVerdict(lower, upper, target),
    ]);
  }
  rows.push([
    `backlog at ${low.ratePerSecond}/s (midway -> end)`,
    `${low.backlogMidway} -> ${low.backlogAtEnd}`,
    'not growing',
    low.isBacklogGrowing ? 'growing' : 'not growing',
  ]);
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  return [
    'targets on this machine (figures only: nothing fails on a slow machine)',
    ...rows.map(
      ([what, figure, target, met]) =>
        `  ${what.padEnd(widths[0] ?? 0)}  ${figure.padStart(widths[1] ?? 0)}  ${target.padEnd(widths[2] ?? 0)}  ${met}`,
    ),
  ];
}
