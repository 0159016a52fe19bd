import type { RecordedChange } from '@changeflow/outbox';
import {
  connectionFailureInputSchema,
  type DeletableObjectType,
  gmcDoctorInputSchema,
  recommendationInputSchema,
  saveConnectionFailures,
  saveGmcDoctors,
  saveRecommendations,
  saveTrainees,
  TCS_PERSON_ID_IN_PATH,
  traineeInputSchema,
  type WriteContext,
} from '@changeflow/reval';
import { z } from 'zod';
import { NUL_MESSAGE, pathsWithNul } from './refuse-nul.js';

/**
 * The four kinds of primary reval data the service writes, each with its routes, the schema of its
 * records and the reval write that saves them. Both the single writes and the imports use these.
 */
export interface RevalResource<T extends object, K extends keyof T & string> {
  /** The object type its changes carry. */
  objectType: DeletableObjectType;
  /** How messages name one, e.g. `GMC doctor`. */
  noun: string;
  /** The collection path; `PUT`/`DELETE` add `/:<idField>`, an import (where there is one) `POST`s to it. */
  path: string;
  /** The record field that is its id, and the name of the path parameter. */
  idField: K;
  /** Parses the path parameter into the id field's value. */
  idSchema: z.ZodType<T[K], string>;
  /** A whole record: the body of a PUT once the id is known, and one line of an import. */
  recordSchema: z.ZodType<T>;
  /** The body of a PUT: a record whose id may be left out (the path gives it). */
  bodySchema: z.ZodType<Partial<T>>;
  /** Saves records in the caller's transaction, recording one change each. */
  save(context: WriteContext, records: readonly T[]): Promise<RecordedChange[]>;
  /**
   * `save` sends one statement (the write with its changes), so a single write runs it through
   * `outbox.oneStatement`, without BEGIN and COMMIT. False when it also files the record under its
   * GMC numbers: two statements must share a transaction.
   */
  isOneStatement: boolean;
}

/**
 * The reval input schemas accept NUL characters, which Postgres then refuses with a 500 (reported to
 * the reval package); refusing them here makes them a 400 naming the field.
 */
function withoutNul<S extends z.ZodType>(schema: S): S {
  return schema.superRefine((value, context) => {
    for (const path of pathsWithNul(value)) context.addIssue({ code: 'custom', path, message: NUL_MESSAGE });
  });
}

/** A TCS person id in a path: the same rule as `tcsPersonId` in the body. */
const tcsPersonIdParam = z
  .string()
  .regex(TCS_PERSON_ID_IN_PATH, 'must be a positive whole number')
  .transform(Number)
  .pipe(traineeInputSchema.shape.tcsPersonId);

/** TCS people: `/api/tcs/trainees`, keyed by `tcsPersonId`; NDJSON imports too. */
export const traineeResource: RevalResource<z.output<typeof traineeInputSchema>, 'tcsPersonId'> = {
  objectType: 'trainee',
  noun: 'trainee',
  path: '/api/tcs/trainees',
  idField: 'tcsPersonId',
  idSchema: tcsPersonIdParam,
  recordSchema: withoutNul(traineeInputSchema),
  bodySchema: withoutNul(traineeInputSchema.partial({ tcsPersonId: true })),
  save: saveTrainees,
  isOneStatement: false,
};

/** The GMC's doctors: `/api/gmc/doctors`, keyed by `gmcReferenceNumber`; NDJSON imports too. */
export const gmcDoctorResource: RevalResource<z.output<typeof gmcDoctorInputSchema>, 'gmcReferenceNumber'> = {
  objectType: 'gmc-doctor',
  noun: 'GMC doctor',
  path: '/api/gmc/doctors',
  idField: 'gmcReferenceNumber',
  idSchema: gmcDoctorInputSchema.shape.gmcReferenceNumber,
  recordSchema: withoutNul(gmcDoctorInputSchema),
  bodySchema: withoutNul(gmcDoctorInputSchema.partial({ gmcReferenceNumber: true })),
  save: saveGmcDoctors,
  isOneStatement: true,
};

/** Officers' recommendations: `/api/recommendations`, keyed by `id`; NDJSON imports too. */
export const recommendationResource: RevalResource<z.output<typeof recommendationInputSchema>, 'id'> = {
  objectType: 'recommendation',
  noun: 'recommendation',
  path: '/api/recommendations',
  idField: 'id',
  idSchema: recommendationInputSchema.shape.id,
  recordSchema: withoutNul(recommendationInputSchema),
  bodySchema: withoutNul(recommendationInputSchema.partial({ id: true })),
  save: saveRecommendations,
  isOneStatement: false,
};

/** The last refused connect/disconnect of a GMC number: `/api/connection-failures`; single writes only. */
export const connectionFailureResource: RevalResource<
  z.output<typeof connectionFailureInputSchema>,
  'gmcReferenceNumber'
> = {
  objectType: 'connection-failure',
  noun: 'connection failure',
  path: '/api/connection-failures',
  idField: 'gmcReferenceNumber',
  idSchema: connectionFailureInputSchema.shape.gmcReferenceNumber,
  recordSchema: withoutNul(connectionFailureInputSchema),
  bodySchema: withoutNul(connectionFailureInputSchema.partial({ gmcReferenceNumber: true })),
  save: saveConnectionFailures,
  isOneStatement: true,
};
