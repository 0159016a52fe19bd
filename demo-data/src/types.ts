/**
 * Glossary:
 * - **doctor**: one unit of demo data, keyed by a GMC number (or by a TCS person whose GMC number is not
 *   one): its TCS persons (trainees), its GMC record, its recommendations and its connection failure.
 * - **kind**: one of the four record kinds the repository-service imports, each at its own endpoint.
 * - **profile**: the categories a doctor was drawn into (see `shares.ts`), kept beside its records so a
 *   reader can tell why a record looks the way it does.
 * - **today**: the `YYYY-MM-DD` date the dates are generated around (REVAL.md's Europe/London today).
 */
import type { ConnectionFailureInput, GmcDoctorInput, RecommendationInput, TraineeInput } from '@changeflow/reval';
import type { GmcState, ProgrammeScenario, RecommendationScenario } from './shares.js';

/** The record kinds, in the order they are loaded (GMC doctors and recommendations refer to GMC numbers). */
export const DEMO_RECORD_KINDS = ['trainees', 'gmc-doctors', 'recommendations', 'connection-failures'] as const;

/** One of {@link DEMO_RECORD_KINDS}. */
export type DemoRecordKind = (typeof DEMO_RECORD_KINDS)[number];

/** The record type of each kind: exactly the repository-service's write API shape (the zod schemas' output). */
export interface DemoRecords {
  trainees: TraineeInput;
  'gmc-doctors': GmcDoctorInput;
  recommendations: RecommendationInput;
  'connection-failures': ConnectionFailureInput;
}

/** The categories one doctor was drawn into. */
export interface DemoProfile {
  /** Code of the designated body of the doctor's local office (every body in turn). */
  designatedBodyCode: string;
  programme: ProgrammeScenario;
  /** False when the TCS person's GMC number is empty, unknown, N/A, na or holds a non-breaking space. */
  hasValidGmcNumber: boolean;
  /** True when the (first) TCS person's role contains dummy or placeholder. */
  isNotTraineeRole: boolean;
  /** How many TCS persons claim the GMC number (0 for `gmc-only`). */
  tcsPersons: number;
  /** Null when the GMC number is not valid (no GMC side at all). */
  gmc: GmcState | null;
  recommendations: RecommendationScenario;
  hasConnectionFailure: boolean;
}

/** Everything generated for one doctor. Built lazily, one at a time, by `generateDoctors`. */
export interface DemoDoctor {
  /** 0-based position in the generated sequence. */
  index: number;
  profile: DemoProfile;
  trainees: TraineeInput[];
  gmcDoctor: GmcDoctorInput | null;
  recommendations: RecommendationInput[];
  connectionFailure: ConnectionFailureInput | null;
}
