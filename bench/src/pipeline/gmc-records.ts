import { type GmcDoctorInput, gmcDoctorInputSchema } from '@changeflow/reval';

/**
 * The GMC doctor records every phase writes. Each phase numbers its own records from its own block
 * of GMC numbers, so every write creates one new master document (one CREATE change, one
 * projection) and a phase's documents can be counted by a range of the index's primary key.
 */

/** The first digit of a phase's GMC numbers; 7 more digits number its records. */
const GMC_BLOCKS = {
  warmUpSingles: 0,
  warmUpImports: 1,
  bulk: 2,
  single: 3,
  lowRate: 4,
  highRate: 5,
  plainBatches: 6,
  outboxBatches: 7,
  plainSingles: 8,
  outboxSingles: 9,
} as const;

export type GmcBlock = keyof typeof GMC_BLOCKS;

/** Records one block can number (7 digits). Every option that sizes a phase stays below it. */
const MAX_RECORDS_PER_BLOCK = 10_000_000;

/** An inclusive range of GMC numbers: the records `0 … count − 1` of a block. */
export interface GmcRange {
  readonly first: string;
  readonly last: string;
  readonly count: number;
}

/** The `index`-th GMC number of `block`: 8 digits, so text order is numeric order in any collation. */
export function gmcNumberOf(block: GmcBlock, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_RECORDS_PER_BLOCK) {
    throw new RangeError(`record ${index} is outside a GMC block (0 to ${MAX_RECORDS_PER_BLOCK - 1})`);
  }
  return `${GMC_BLOCKS[block]}${String(index).padStart(7, '0')}`;
}

/** The GMC numbers of the first `count` records of `block`. */
export function gmcRangeOf(block: GmcBlock, count: number): GmcRange {
  return { first: gmcNumberOf(block, 0), last: gmcNumberOf(block, Math.max(0, count - 1)), count };
}

/** The JSON body of `PUT /api/gmc/doctors/:gmcReferenceNumber` (and one NDJSON import line). */
export interface GmcDoctorBody {
  readonly gmcReferenceNumber: string;
  readonly doctorFirstName: string;
  readonly doctorLastName: string;
  readonly submissionDate: string;
  readonly dateAdded: string;
  readonly underNotice: 'YES' | 'NO';
  readonly designatedBodyCode: string;
  readonly existsInGmc: boolean;
}

/** A GMC doctor as the GMC sends one: a name, a submission date, a designated body of the defaults. */
export function gmcDoctorBody(gmcReferenceNumber: string): GmcDoctorBody {
  const n = Number(gmcReferenceNumber);
  return {
    gmcReferenceNumber,
    doctorFirstName: `First${n % 997}`,
    doctorLastName: `Last${n % 7919}`,
    submissionDate: `2027-${String((n % 12) + 1).padStart(2, '0')}-${String((n % 28) + 1).padStart(2, '0')}`,
    dateAdded: '2024-04-01',
    underNotice: n % 5 === 0 ? 'YES' : 'NO',
    designatedBodyCode: '1-1RUZUSF',
    existsInGmc: true,
  };
}

/** The same record as the repository-service saves it after validating the body (for the baseline). */
export function gmcDoctorInput(gmcReferenceNumber: string): GmcDoctorInput {
  return gmcDoctorInputSchema.parse(gmcDoctorBody(gmcReferenceNumber));
}
