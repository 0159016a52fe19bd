/** The small built-in word lists the generator draws from. Made up, British-ish, and not real people. */

export const FIRST_NAMES: readonly string[] = [
  'Oliver',
  'Amelia',
  'George',
  'Isla',
  'Harry',
  'Ava',
  'Jack',
  'Mia',
  'Charlie',
  'Ivy',
  'Thomas',
  'Grace',
  'James',
  'Freya',
  'William',
  'Lily',
  'Henry',
  'Florence',
  'Alfie',
  'Emily',
  'Arthur',
  'Sophie',
  'Oscar',
  'Evie',
  'Rhys',
  'Ffion',
  'Callum',
  'Eilidh',
  'Ciaran',
  'Niamh',
  'Aisha',
  'Priya',
  'Mohammed',
  'Yusuf',
  'Zara',
  'Arjun',
  'Chloe',
  'Daniel',
  'Hannah',
  'Samuel',
  'Rebecca',
  'Benjamin',
  'Eleanor',
  'Joseph',
  'Catherine',
  'Owen',
  'Megan',
  'Rory',
  'Imogen',
  'Tobias',
  'Harriet',
  'Kwame',
  'Adaeze',
  'Siobhan',
];

export const LAST_NAMES: readonly string[] = [
  'Smith',
  'Jones',
  'Taylor',
  'Brown',
  'Williams',
  'Wilson',
  'Johnson',
  'Davies',
  'Robinson',
  'Wright',
  'Thompson',
  'Evans',
  'Walker',
  'White',
  'Roberts',
  'Green',
  'Hall',
  'Wood',
  'Jackson',
  'Clarke',
  'Patel',
  'Khan',
  'Lewis',
  'Harris',
  'Turner',
  'Hughes',
  'Edwards',
  'Morgan',
  'Griffiths',
  'Owen',
  'MacDonald',
  'Campbell',
  'Stewart',
  'Murphy',
  "O'Neill",
  'Kelly',
  'Ahmed',
  'Begum',
  'Singh',
  'Shah',
  'Okafor',
  'Mensah',
  'Cooper',
  'Ward',
  'Bennett',
  'Fletcher',
  'Barker',
  'Ellis',
  'Price',
  'Lloyd',
  'Fraser',
  'Hamilton',
  'Kaur',
  'Chowdhury',
  'Nwosu',
  'Ali',
  'Baxter',
  'Holmes',
];

/** A training programme and the placement grade ids its trainees hold, earliest year first. */
export interface ProgrammeTemplate {
  name: string;
  /** Placement grade ids, one per stage; `279` is foundation year 1. */
  gradeIds: readonly number[];
  /** Typical length of the programme in years. */
  years: number;
}

export const FOUNDATION_PROGRAMME: ProgrammeTemplate = { name: 'Foundation', gradeIds: [279, 280], years: 2 };

export const PROGRAMMES: readonly ProgrammeTemplate[] = [
  FOUNDATION_PROGRAMME,
  { name: 'Core Medical Training', gradeIds: [281, 282], years: 2 },
  { name: 'Internal Medicine Training', gradeIds: [281, 282, 283], years: 3 },
  { name: 'Core Surgical Training', gradeIds: [281, 282], years: 2 },
  { name: 'Acute Care Common Stem - Emergency Medicine', gradeIds: [281, 282, 283], years: 3 },
  { name: 'General Practice', gradeIds: [284, 285, 286], years: 3 },
  { name: 'Anaesthetics', gradeIds: [284, 285, 286, 287, 288], years: 5 },
  { name: 'Paediatrics', gradeIds: [284, 285, 286, 287, 288], years: 5 },
  { name: 'Obstetrics and Gynaecology', gradeIds: [284, 285, 286, 287, 288], years: 5 },
  { name: 'General Psychiatry', gradeIds: [286, 287, 288], years: 3 },
  { name: 'Cardiology', gradeIds: [286, 287, 288, 289], years: 4 },
  { name: 'General Surgery', gradeIds: [286, 287, 288, 289], years: 4 },
  { name: 'Trauma and Orthopaedic Surgery', gradeIds: [286, 287, 288, 289], years: 4 },
  { name: 'Clinical Radiology', gradeIds: [284, 285, 286, 287, 288], years: 5 },
  { name: 'Histopathology', gradeIds: [284, 285, 286, 287, 288], years: 5 },
  { name: 'Ophthalmology', gradeIds: [284, 285, 286, 287, 288], years: 5 },
];

/** The roles a TCS person holds; all but the last group are trainees. */
export const TRAINEE_ROLES: readonly string[] = ['DR in Training', 'Doctor in Training', 'Trainee'];

/** Roles that make a TCS person "not a trainee" (REVAL.md: a role containing `dummy` or `placeholder`). */
export const NOT_TRAINEE_ROLES: readonly string[] = [
  'Dummy Record',
  'DR in Training, Placeholder',
  'Placeholder',
  'dummy trainee',
];

/** The forms of a GMC number that REVAL.md says are not GMC numbers (the non-breaking space is added apart). */
export const NOT_GMC_NUMBERS: readonly string[] = ['', 'unknown', 'UNKNOWN', 'N/A', 'n/a', 'na'];

export const REVALIDATION_OFFICERS: readonly string[] = [
  'a.fraser@revalidation.example.org',
  'b.okafor@revalidation.example.org',
  'c.hughes@revalidation.example.org',
  'd.shah@revalidation.example.org',
  'e.morgan@revalidation.example.org',
];

/** Why the GMC refused a connect or disconnect request. */
export const CONNECTION_FAILURE_REASONS: readonly string[] = [
  'Missing / Invalid Change Code (Reason)',
  'Doctor is not connected to your designated body',
  'Doctor already connected to this designated body',
  'Doctor has no current licence to practise',
  'Invalid Designated Body Code',
];
