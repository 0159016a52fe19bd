import { z } from 'zod';

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

/** A TCS person as the write API takes it. GMC numbers are kept as given (trimmed); rules judge them. */
export const traineeInputSchema = z.object({
  tcsPersonId: z.number().int().positive(),
  gmcReferenceNumber: z
    .string()
    .max(50)
    .nullish()
    .transform((value) => value?.trim() ?? null),
  firstName: optionalText,
  lastName: optionalText,
  role: optionalText,
  programmeMemberships: z.array(programmeMembershipSchema).max(200).default([]),
  placements: z.array(placementSchema).max(500).default([]),
});

const gmcNumber = z.string().trim().min(1, 'must not be empty').max(50);

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
  id: z.string().trim().min(1).max(100),
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
