import { ChangeflowError, describeIssues } from '@changeflow/errors';
import { z } from 'zod';
import type { ChangeInput } from './types.js';

/**
 * What a valid change looks like. The object type becomes part of an SNS topic name (at most 256
 * characters of `[A-Za-z0-9_-]`), so it is kept short and lower-case.
 */
export const changeInputSchema = z.object({
  objectType: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9_-]{0,62}$/,
      'must be 1-63 lower-case letters, digits, "-" or "_", starting with a letter or digit',
    ),
  objectId: z.string().min(1).max(1024),
  objectVersion: z.number().int().nonnegative(),
  changeType: z.enum(['CREATE', 'UPDATE', 'DELETE']),
  userId: z.string().max(256).nullish(),
  traceparent: z.string().max(512).nullish(),
});

/** Raised when a write service records a change that could never be published as it stands. */
export class InvalidChangeError extends ChangeflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_CHANGE', message, options);
  }
}

/** Checks every change before anything is inserted; the error names the change's index and field. */
export function validateChanges(changes: readonly ChangeInput[]): void {
  changes.forEach((change, index) => {
    const parsed = changeInputSchema.safeParse(change);
    if (!parsed.success) {
      throw new InvalidChangeError(`change #${index} is invalid: ${describeIssues(parsed.error.issues, change)}`, {
        cause: parsed.error,
      });
    }
  });
}
