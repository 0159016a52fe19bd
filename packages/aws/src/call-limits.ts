import type { Logger } from 'pino';

/** What a bounded `send` needs of a client: the SDK's own `send(command, { abortSignal })`. */
interface Sender {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

/** Whether the endpoint answered the last call, as seen by one client; logs each change once. */
export interface EndpointHealth {
  /** A call got an answer (any answer, an error of the service's included). */
  answered(): void;
  /** A call got none: refused, reset, timed out. */
  unanswered(err: unknown): void;
}

/**
 * Logs an outage of `service` at `endpoint` once when the first call goes unanswered, and once
 * more when a call is answered again, with how long it lasted: not once per call or retry.
 */
export function createEndpointHealth(logger: Logger | undefined, service: string, endpoint: string): EndpointHealth {
  let downSince: number | undefined;
  return {
    answered() {
      if (downSince === undefined) return;
      const durationMs = Date.now() - downSince;
      downSince = undefined;
      logger?.info({ service, endpoint, durationMs }, 'SNS/SQS answers again; calls resume');
    },
    unanswered(err) {
      if (downSince !== undefined) return;
      downSince = Date.now();
      const { name, message } = err instanceof Error ? err : new Error(String(err));
      logger?.warn(
        { service, endpoint, error: { name, message } },
        'SNS/SQS does not answer; calls fail at their time limit and are retried until it does',
      );
    },
  };
}

/**
 * A failure without an answer from the endpoint: the SDK attaches the HTTP status of every answer
 * (`$metadata.httpStatusCode`), so its absence means the request never got one.
 */
function isUnanswered(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const metadata = (err as { $metadata?: { httpStatusCode?: number } }).$metadata;
  return metadata?.httpStatusCode === undefined;
}

/**
 * Makes every `client.send` end within `totalTimeoutMs`, every attempt and backoff included, by
 * adding a deadline to the call's abort signal (the caller's own signal, if any, still aborts it
 * too), and reports each call's outcome to `health`. A timer of our own rather than
 * `AbortSignal.timeout`, which can be garbage-collected unfired inside `AbortSignal.any` (see
 * bench/src/support/deadline.ts).
 */
export function limitCallTime<C extends object>(client: C, totalTimeoutMs: number, health: EndpointHealth): C {
  const sender = client as unknown as Sender;
  const send = sender.send.bind(sender);
  sender.send = async (command, options) => {
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new DOMException(`no answer within ${totalTimeoutMs} ms`, 'TimeoutError')),
      totalTimeoutMs,
    );
    const callerSignal = options?.abortSignal;
    const abortSignal = callerSignal ? AbortSignal.any([callerSignal, deadline.signal]) : deadline.signal;
    try {
      const result = await send(command, { ...options, abortSignal });
      health.answered();
      return result;
    } catch (err) {
      if (callerSignal?.aborted) throw err;
      if (isUnanswered(err)) health.unanswered(err);
      else health.answered();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };
  return client;
}
