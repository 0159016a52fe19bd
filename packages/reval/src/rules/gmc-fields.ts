import type { ConnectionFailure, GmcDoctor, MasterDocument, Trainee } from '../model.js';
import { blankToNull } from './text.js';

/** The master document's fields that come from the GMC (and the names, which TCS may supply). */
export type GmcFields = Pick<
  MasterDocument,
  | 'doctorFirstName'
  | 'doctorLastName'
  | 'submissionDate'
  | 'designatedBody'
  | 'admin'
  | 'underNotice'
  | 'existsInGmc'
  | 'lastUpdatedDate'
>;

/**
 * Merges the GMC doctor and the TCS trainee: the names come from the GMC when the doctor exists in
 * the GMC (`existsInGmc`), otherwise from TCS; `submissionDate`, `designatedBody` (← `designatedBodyCode`),
 * `admin`, `underNotice`, `existsInGmc` and `lastUpdatedDate` come from the GMC, null (false) without a
 * doctor.
 *
 * Decisions: each name falls back to the other source when the winning one has it blank, so a GMC
 * doctor with no first name still shows the TCS one (and a doctor no longer in the GMC with no TCS
 * person shows the GMC names); a blank `designatedBodyCode` is no designated body. The GMC fields are
 * taken as given even when `existsInGmc` is false.
 */
export function mergeGmcFields(
  doctor: GmcDoctor | null,
  trainee: Pick<Trainee, 'firstName' | 'lastName'> | null,
): GmcFields {
  const gmcWins = doctor?.existsInGmc === true;
  const gmcFirst = blankToNull(doctor?.doctorFirstName);
  const gmcLast = blankToNull(doctor?.doctorLastName);
  const tcsFirst = blankToNull(trainee?.firstName);
  const tcsLast = blankToNull(trainee?.lastName);
  return {
    doctorFirstName: gmcWins ? (gmcFirst ?? tcsFirst) : (tcsFirst ?? gmcFirst),
    doctorLastName: gmcWins ? (gmcLast ?? tcsLast) : (tcsLast ?? gmcLast),
    submissionDate: doctor?.submissionDate ?? null,
    designatedBody: blankToNull(doctor?.designatedBodyCode),
    admin: doctor?.admin ?? null,
    underNotice: doctor?.underNotice ?? null,
    existsInGmc: doctor?.existsInGmc ?? false,
    lastUpdatedDate: doctor?.lastUpdatedDate ?? null,
  };
}

/** `connectionStatus`: `"Yes"` when the GMC designated body is present (not blank), else `"No"`. */
export function deriveConnectionStatus(designatedBody: string | null): MasterDocument['connectionStatus'] {
  return blankToNull(designatedBody) === null ? 'No' : 'Yes';
}

/** `exceptionReason`: the reason of the GMC number's latest connection failure; null when none or blank. */
export function deriveExceptionReason(failure: ConnectionFailure | null): string | null {
  return blankToNull(failure?.reason);
}
