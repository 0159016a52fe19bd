/**
 * Glossary (../shared/REVAL.md):
 * - **trainee**: a TCS person with programme memberships (with curricula) and placements.
 * - **GMC doctor**: the GMC's record for one GMC number ("doctors for designated body").
 * - **recommendation**: an officer's recommendation for a GMC number (draft, submitted, outcome).
 * - **connection failure**: why the GMC refused the last connect/disconnect of a GMC number.
 * - **designated body**: a regional local office; a code such as `1-1RUZV1D` and the TCS programme
 *   owner(s) that answer to it.
 * - **master document**: the one document per GMC number merged from all of the above; the derived
 *   indexes (recommendation, connected, disconnected, exception, discrepancies) hold subsets of it.
 * - **today**: the date in Europe/London, as `YYYY-MM-DD`; every date here is such a string, so
 *   dates compare as strings.
 */

/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

export interface Curriculum {
  curriculumEndDate: IsoDate | null;
}

export interface ProgrammeMembership {
  programmeName: string;
  /** SUBSTANTIVE, VISITOR, MILITARY, LAT, FTSTA, … (free text from TCS; compared case-insensitively). */
  membershipType: string | null;
  startDate: IsoDate | null;
  endDate: IsoDate | null;
  /** The TCS programme owner, e.g. "Kent, Surrey and Sussex"; maps to a designated body. */
  programmeOwner: string | null;
  curricula: Curriculum[];
}

export interface Placement {
  gradeId: string | null;
  startDate: IsoDate | null;
  endDate: IsoDate | null;
}

export interface Trainee {
  tcsPersonId: number;
  gmcReferenceNumber: string | null;
  firstName: string | null;
  lastName: string | null;
  role: string | null;
  programmeMemberships: ProgrammeMembership[];
  placements: Placement[];
}

export type UnderNotice = 'YES' | 'NO' | 'ON_HOLD';

export interface GmcDoctor {
  gmcReferenceNumber: string;
  doctorFirstName: string | null;
  doctorLastName: string | null;
  submissionDate: IsoDate | null;
  dateAdded: IsoDate | null;
  underNotice: UnderNotice | null;
  sanction: string | null;
  designatedBodyCode: string | null;
  admin: string | null;
  /** False once the GMC disconnected the doctor. */
  existsInGmc: boolean;
  lastUpdatedDate: IsoDate | null;
}

export type RecommendationType = 'REVALIDATE' | 'DEFER' | 'NON_ENGAGEMENT';
export type RecommendationOutcome = 'APPROVED' | 'REJECTED' | 'UNDER_REVIEW';

export interface Recommendation {
  id: string;
  gmcReferenceNumber: string;
  type: RecommendationType | null;
  /** e.g. READY_TO_REVIEW while a draft. */
  status: string | null;
  outcome: RecommendationOutcome | null;
  gmcSubmissionDate: IsoDate | null;
  actualSubmissionDate: IsoDate | null;
  admin: string | null;
}

export interface ConnectionFailure {
  gmcReferenceNumber: string;
  /** Why the GMC refused; `null` once a later request succeeded. */
  reason: string | null;
}

export interface DesignatedBody {
  code: string;
  /** The TCS programme owner that answers to this code. */
  owner: string;
}

export type TisStatus = 'NOT_STARTED' | 'DRAFT' | 'SUBMITTED_TO_GMC' | 'COMPLETED';
export type GmcStatus = 'Approved' | 'Rejected' | 'Under Review';

/** The master index's document for one GMC number. */
export interface MasterDocument {
  gmcReferenceNumber: string;
  tcsPersonId: number | null;
  /** The other TCS people claiming the same GMC number, highest id first. */
  conflictingTcsPersonIds: number[];
  doctorFirstName: string | null;
  doctorLastName: string | null;
  submissionDate: IsoDate | null;
  programmeName: string | null;
  membershipType: string | null;
  membershipStartDate: IsoDate | null;
  membershipEndDate: IsoDate | null;
  curriculumEndDate: IsoDate | null;
  programmeOwner: string | null;
  tcsDesignatedBody: string | null;
  designatedBody: string | null;
  placementGrade: string | null;
  admin: string | null;
  underNotice: UnderNotice | null;
  existsInGmc: boolean;
  gmcStatus: GmcStatus | null;
  tisStatus: TisStatus;
  connectionStatus: 'Yes' | 'No';
  exceptionReason: string | null;
  lastUpdatedDate: IsoDate | null;
}

/** The derived indexes a master document can belong to (the recommendation index takes every one). */
export type DerivedIndex = 'recommendation' | 'connected' | 'disconnected' | 'exception' | 'discrepancies';

/** Everything the rules need to build the master document of one GMC number. */
export interface GmcNumberSources {
  gmcReferenceNumber: string;
  /** Every TCS person claiming this GMC number (invalid and non-trainee ones are filtered by the rules). */
  trainees: Trainee[];
  doctor: GmcDoctor | null;
  recommendations: Recommendation[];
  connectionFailure: ConnectionFailure | null;
}
