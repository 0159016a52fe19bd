import type { SQSClient } from '@aws-sdk/client-sqs';

/** Calls of one SQS operation while recording: how many, how long in all, how many entries/messages. */
export interface CallStats {
  calls: number;
  totalMs: number;
  /** Messages received (ReceiveMessage) or entries sent (the batch calls). */
  items: number;
}

/**
 * Times every SQS call the client makes (SDK middleware, so the runtime's own calls are measured
 * without touching it): where the time of a run goes, client-side, per operation.
 */
export interface SqsCallRecorder {
  /** Starts counting from zero. */
  start(): void;
  /** Stops counting and returns the figures per operation name (`ReceiveMessageCommand`, …). */
  stop(): Map<string, CallStats>;
}

export function recordSqsCalls(sqs: SQSClient): SqsCallRecorder {
  let stats: Map<string, CallStats> | undefined;
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      const recording = stats;
      if (!recording) return next(args);
      const started = performance.now();
      const result = await next(args);
      const name = context.commandName ?? 'unknown';
      const entry = recording.get(name) ?? { calls: 0, totalMs: 0, items: 0 };
      entry.calls += 1;
      entry.totalMs += performance.now() - started;
      entry.items += itemsOf(args.input, result.output);
      recording.set(name, entry);
      return result;
    },
    { step: 'initialize', name: 'changeflowBenchCallStats' },
  );
  return {
    start() {
      stats = new Map();
    },
    stop() {
      const recorded = stats ?? new Map<string, CallStats>();
      stats = undefined;
      return recorded;
    },
  };
}

function itemsOf(input: unknown, output: unknown): number {
  if (typeof output === 'object' && output !== null && 'Messages' in output && Array.isArray(output.Messages)) {
    return output.Messages.length;
  }
  if (typeof input === 'object' && input !== null && 'Entries' in input && Array.isArray(input.Entries)) {
    return input.Entries.length;
  }
  return 0;
}
