import { ChangeflowError } from '@changeflow/errors';

/**
 * Thrown by a handler when retrying cannot help (the change refers to data that can never be
 * projected, a bug that needs a deploy): the message goes to the dead-letter queue at once, with
 * this error's message as its reason.
 */
export class FatalError extends ChangeflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('HANDLER_FATAL', message, options);
  }
}

/** Raised when provisioning SNS/SQS topology fails; names the resource and the next step. */
export class TopologyError extends ChangeflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TOPOLOGY_FAILED', message, options);
  }
}
