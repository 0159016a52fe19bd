/**
 * Collects items and hands them to `flush` in groups of at most `maxSize`, or after `maxDelayMs`
 * when fewer arrive. `flush` answers, per item, the error that item failed with (or `undefined`);
 * each `add` resolves or rejects accordingly, and a `flush` that throws rejects its whole group.
 * Used for DeleteMessageBatch and ChangeMessageVisibilityBatch (ten entries per call), and by
 * handlers that serve the messages of one receive together (reval's index worker).
 */
export class Batcher<T> {
  readonly #flush: (items: T[]) => Promise<Array<Error | undefined>>;
  readonly #maxSize: number;
  readonly #maxDelayMs: number;
  #items: Array<{ item: T; resolve: () => void; reject: (err: unknown) => void }> = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(
    flush: (items: T[]) => Promise<Array<Error | undefined>>,
    options: { maxSize: number; maxDelayMs: number },
  ) {
    this.#flush = flush;
    this.#maxSize = options.maxSize;
    this.#maxDelayMs = options.maxDelayMs;
  }

  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#items.push({ item, resolve, reject });
      if (this.#items.length >= this.#maxSize) this.#send();
      else this.#timer ??= setTimeout(() => this.#send(), this.#maxDelayMs);
    });
  }

  /** Sends what is waiting now and resolves when every send so far has finished. */
  async drain(): Promise<void> {
    this.#send();
    await Promise.allSettled([...this.#inFlight]);
  }

  #send(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#items.length > 0) {
      const group = this.#items.splice(0, this.#maxSize);
      const sending = this.#flush(group.map((entry) => entry.item)).then(
        (errors) => {
          group.forEach((entry, index) => {
            const error = errors[index];
            if (error) entry.reject(error);
            else entry.resolve();
          });
        },
        (err: unknown) => {
          for (const entry of group) entry.reject(err);
        },
      );
      this.#inFlight.add(sending);
      void sending.finally(() => this.#inFlight.delete(sending));
    }
  }
}
