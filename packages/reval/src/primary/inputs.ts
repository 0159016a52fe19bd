import { z } from 'zod';
import { GMC_NUMBER_RULE, isValidGmcNumber, trimSpacesAndTabs } from '../rules/gmc-number.js';
import { hasControlOrFormatCharacter, RECOMMENDATION_ID, RECOMMENDATION_ID_RULE } from '../rules/record-ids.js';

/** A calendar date as `YYYY-MM-DD` that exists (no 2026-02-30). */
export const isoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  }, 'is not a calendar date');

const text = z.string().max(1000);
const optionalText = text.nullish().transform((value) => value ?? null);
const optionalDate = isoDateSchema.nullish().transform((value) => value ?? null);

const programmeMembershipSchema = z.object({
  programmeName: z.string().min(1).max(500),
  membershipType: optionalText,
  startDate: optionalDate,
  endDate: optionalDate,
  programmeOwner: optionalText,
  curricula: z
    .array(z.object({ curriculumEndDate: optionalDate }))
    .max(100)
    .default([]),
});

const placementSchema = z.object({
  gradeId: z
    .union([z.string().max(50), z.number().int()])
    .nullish()
    .transform((value) => (value === null || value === undefined ? null : String(value))),
  startDate: optionalDate,
  endDate: optionalDate,
});

/**
 * A TCS person as the write API takes it. Its GMC number is kept as TCS gives it (spaces and tabs
 * around it dropped, nothing else: a non-breaking space stays, and with it the verdict "not a GMC
 * number"); `isValidGmcNumber` judges it, and a trainee without one has no master document. Only
 * control and format characters are refused: they are never part of any value TCS holds.
 */
export const traineeInputSchema = z.object({
  tcsPersonId: z.number().int().positive(),
  gmcReferenceNumber: z
    .string()
    .max(50)
    .refine((value) => !hasControlOrFormatCharacter(value), 'must not contain control or format characters')
    .nullish()
    .transform((value) => (value === null || value === undefined ? null : trimSpacesAndTabs(value))),
  firstName: optionalText,
  lastName: optionalText,
  role: optionalText,
  programmeMemberships: z.array(programmeMembershipSchema).max(200).default([]),
  placements: z.array(placementSchema).max(500).default([]),
});

/** A GMC number that identifies a record (a GMC doctor, a recommendation's, a connection failure's). */
export const gmcNumberSchema = z
  .string()
  .max(50)
  .refine((value) => isValidGmcNumber(value), GMC_NUMBER_RULE)
  .transform(trimSpacesAndTabs);
const gmcNumber = gmcNumberSchema;

/** A recommendation's id (`RECOMMENDATION_ID`). */
export const recommendationIdSchema = z.string().regex(RECOMMENDATION_ID, RECOMMENDATION_ID_RULE);

export const gmcDoctorInputSchema = z.object({
  gmcReferenceNumber: gmcNumber,
  doctorFirstName: optionalText,
  doctorLastName: optionalText,
  submissionDate: optionalDate,
  dateAdded: optionalDate,
  underNotice: z
    .enum(['YES', 'NO', 'ON_HOLD'])
    .nullish()
    .transform((value) => value ?? null),
  sanction: optionalText,
  designatedBodyCode: optionalText,
  admin: optionalText,
  existsInGmc: z.boolean().default(true),
  lastUpdatedDate: optionalDate,
});

export const recommendationInputSchema = z.object({
  id: recommendationIdSchema,
  gmcReferenceNumber: gmcNumber,
  type: z
    .enum(['REVALIDATE', 'DEFER', 'NON_ENGAGEMENT'])
    .nullish()
    .transform((value) => value ?? null),
  status: optionalText,
  outcome: z
    .enum(['APPROVED', 'REJECTED', 'UNDER_REVIEW'])
    .nullish()
    .transform((value) => value ?? null),
  gmcSubmissionDate: optionalDate,
  actualSubmissionDate: optionalDate,
  admin: optionalText,
});

export const connectionFailureInputSchema = z.object({
  gmcReferenceNumber: gmcNumber,
  /** Null (or absent) clears the failure: a later connect/disconnect succeeded. */
  reason: optionalText,
});

export type TraineeInput = z.output<typeof traineeInputSchema>;
export type GmcDoctorInput = z.output<typeof gmcDoctorInputSchema>;
export type RecommendationInput = z.output<typeof recommendationInputSchema>;
export type ConnectionFailureInput = z.output<typeof connectionFailureInputSchema>;
