import { toError } from '@changeflow/errors';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { OutboxMetrics } from './metrics.js';
import { markPublished } from './queries/mark-published.js';
import type { OutboxDatabase } from './schema.js';

/**
 * Change numbers per UPDATE at most. A sweeper batch (up to 50,000) goes in a few statements, so no
 * one statement holds its row locks or its connection for long.
 */
const MAX_CHANGES_PER_MARK = 10_000;

/**
 * Marks changes SNS accepted as published, grouped, off the publishing path: publishing goes on while
 * the database stamps what was sent before.
 */
export interface MarkQueue {
  /** Queues change numbers SNS accepted; they are stamped within about `intervalMs`. */
  add(changeNumbers: readonly string[]): void;
  /** Change numbers queued and not yet stamped (or given up on). */
  readonly pending: number;
  /** Resolves once every number queued so far was stamped or given up on. Starts a statement at once. */
  flush(): Promise<void>;
}

/** What a mark queue needs; `onProgress` is called after each statement (the publisher's backpressure). */
export interface MarkQueueDependencies {
  db: Kysely<OutboxDatabase>;
  logger: Logger;
  metrics: OutboxMetrics;
  onProgress: () => void;
}

/**
 * Creates the publisher's mark queue. One statement at a time: numbers that arrive while one runs wait
 * for the next, which starts `intervalMs` after the first of them arrived (or at once when a full
 * statement's worth or a `flush()` is waiting). So at any load the database sees about one UPDATE per
 * interval, not one per `PublishBatch`.
 *
 * G3: a stamp is only ever an optimisation. A change whose stamp is lost (the process dies with marks
 * queued, the statement fails) stays unpublished and the sweeper sends it again: at least once.
 */
export function createMarkQueue(deps: MarkQueueDependencies, options: { intervalMs: number }): MarkQueue {
  return new GroupedMarks(deps, options.intervalMs);
}

/** A `flush()` waiting until `target` numbers have been stamped or given up on. */
interface FlushWaiter {
  target: number;
  resolve: () => void;
}

class GroupedMarks implements MarkQueue {
  readonly #deps: MarkQueueDependencies;
  readonly #intervalMs: number;
  readonly #log: Logger;
  #waiting: string[] = [];
  #inStatement = 0;
  #timer: NodeJS.Timeout | undefined;
  #isRunning = false;
  /** Numbers ever queued, and ever stamped or given up on: `flush()` waits for the second to reach the first. */
  #queuedTotal = 0;
  #doneTotal = 0;
  #flushWaiters: FlushWaiter[] = [];

  constructor(deps: MarkQueueDependencies, intervalMs: number) {
    this.#deps = deps;
    this.#intervalMs = intervalMs;
    this.#log = deps.logger.child({ component: 'outbox-publisher' });
  }

  get pending(): number {
    return this.#waiting.length + this.#inStatement;
  }

  add(changeNumbers: readonly string[]): void {
    if (changeNumbers.length === 0) return;
    this.#waiting.push(...changeNumbers);
    this.#queuedTotal += changeNumbers.length;
    this.#deps.metrics.pendingMarks.set(this.pending);
    if (this.#waiting.length >= MAX_CHANGES_PER_MARK) this.#runSoon(0);
    else this.#runSoon(this.#intervalMs);
  }

  flush(): Promise<void> {
    if (this.#doneTotal >= this.#queuedTotal) return Promise.resolve();
    const target = this.#queuedTotal;
    return new Promise((resolve) => {
      this.#flushWaiters.push({ target, resolve });
      this.#runSoon(0);
    });
  }

  /** Starts the statement loop after `delayMs`, unless it runs or an earlier start is set. */
  #runSoon(delayMs: number): void {
    if (this.#isRunning) return;
    if (this.#timer !== undefined) {
      if (delayMs > 0) return;
      clearTimeout(this.#timer);
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#run();
    }, delayMs);
  }

  async #run(): Promise<void> {
    this.#isRunning = true;
    while (this.#waiting.length > 0) {
      const numbers = this.#waiting.splice(0, MAX_CHANGES_PER_MARK);
      this.#inStatement = numbers.length;
      const started = performance.now();
      try {
        await markPublished(this.#deps.db, numbers);
        this.#deps.metrics.markBatchSize.observe(numbers.length);
      } catch (err) {
        // SNS has them; the sweeper will send them once more (at least once), which handlers absorb (G4).
        this.#deps.metrics.markFailures.inc(numbers.length);
        this.#log.error(
          { err: toError(err), changes: numbers.length },
          'published changes could not be marked; the sweeper will re-send them',
        );
      } finally {
        this.#deps.metrics.markDuration.observe((performance.now() - started) / 1000);
      }
      this.#inStatement = 0;
      this.#doneTotal += numbers.length;
      this.#deps.metrics.pendingMarks.set(this.pending);
      this.#wakeFlushWaiters();
      this.#deps.onProgress();
      // Group again: what arrived during the statement waits one interval for company, unless a full
      // statement's worth or a flush is waiting.
      if (this.#waiting.length < MAX_CHANGES_PER_MARK && this.#flushWaiters.length === 0) break;
    }
    this.#isRunning = false;
    if (this.#waiting.length > 0) this.#runSoon(this.#intervalMs);
  }

  #wakeFlushWaiters(): void {
    const stillWaiting: FlushWaiter[] = [];
    for (const waiter of this.#flushWaiters) {
      if (this.#doneTotal >= waiter.target) waiter.resolve();
      else stillWaiting.push(waiter);
    }
    this.#flushWaiters = stillWaiting;
  }
}
