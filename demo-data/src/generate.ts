import { DEFAULT_DESIGNATED_BODIES, type DesignatedBody, isoDateSchema } from '@changeflow/reval';
import { z } from 'zod';
import { buildConnectionFailure, buildGmcDoctor, buildRecommendations, type GmcContext } from './build-gmc-records.js';
import { buildTrainee, type PersonIdentity, pickName, type TraineeContext } from './build-trainees.js';
import { hashText, Random } from './random.js';
import {
  GMC_ONLY_STATE_SHARES,
  GMC_STATE_SHARES,
  INVALID_GMC_NUMBER_PERCENT,
  NOT_TRAINEE_ROLE_PERCENT,
  PROGRAMME_SCENARIO_SHARES,
  RECOMMENDATION_SCENARIO_SHARES,
  SHARED_GMC_NUMBER_PERCENT,
} from './shares.js';
import type { DemoDoctor, DemoRecordKind, DemoRecords } from './types.js';
import { NOT_GMC_NUMBERS } from './vocabulary.js';

/** The most doctors one run generates. GMC numbers are unique up to 9,000,000; this keeps well below. */
export const MAX_DOCTORS = 1_000_000;

export const generateOptionsSchema = z.object({
  /** How many doctors (GMC numbers, or TCS persons without a valid one) to generate. */
  doctors: z.number().int().min(0).max(MAX_DOCTORS),
  /** Any text or number; the same seed, doctors and today give byte-identical records. */
  seed: z.union([z.string(), z.number()]).transform(String),
  /** The date the records are generated around, `YYYY-MM-DD` (use Europe/London today for a live demo). */
  today: isoDateSchema,
  /**
   * The designated bodies; each doctor's local office is the next in turn (so every body gets doctors).
   * @defaultValue REVAL.md's table, `DEFAULT_DESIGNATED_BODIES`
   */
  designatedBodies: z
    .array(z.object({ code: z.string().min(1), owner: z.string().min(1) }))
    .min(1)
    .default(() => [...DEFAULT_DESIGNATED_BODIES]),
});

/** Options of {@link generateDoctors} and {@link generateRecords}. */
export type GenerateOptions = z.input<typeof generateOptionsSchema>;
/** {@link GenerateOptions} after validation and defaults. */
export type ResolvedGenerateOptions = z.output<typeof generateOptionsSchema>;

/** A resolved run: the options and what is derived from them once. */
interface Run {
  seed: string;
  today: string;
  /** One entry per code, with the owner listed first in the table. */
  bodies: readonly DesignatedBody[];
  aliasOwners: ReadonlyMap<string, readonly string[]>;
  gmcNumberOffset: number;
}

/** Validates options once, throwing a `ZodError` that names every bad field. */
export function resolveGenerateOptions(options: GenerateOptions): ResolvedGenerateOptions {
  return generateOptionsSchema.parse(options);
}

/**
 * The doctors, one at a time: nothing is kept between two yields, so 100,000 doctors take the memory of
 * one. Each doctor draws from its own generator seeded by `seed` and its index, so doctor `i` is the same
 * whatever `doctors` is (a run of 2,000 starts with the 1,000 of a smaller run).
 *
 * @example
 * for (const doctor of generateDoctors({ doctors: 10, seed: 'demo', today: '2026-03-15' })) {
 *   console.log(doctor.profile.programme, doctor.trainees.length);
 * }
 */
export function* generateDoctors(options: GenerateOptions): Generator<DemoDoctor, void, undefined> {
  const resolved = resolveGenerateOptions(options);
  const run = prepareRun(resolved);
  for (let index = 0; index < resolved.doctors; index++) yield buildDoctor(run, index);
}

/**
 * The records of one kind, lazily, in doctor order: what one import endpoint takes.
 *
 * @example
 * for (const trainee of generateRecords('trainees', { doctors: 100, seed: 1, today: '2026-03-15' })) { … }
 */
export function* generateRecords<K extends DemoRecordKind>(
  kind: K,
  options: GenerateOptions,
): Generator<DemoRecords[K], void, undefined> {
  for (const doctor of generateDoctors(options)) yield* recordsOf(doctor, kind);
}

const RECORDS_OF: { [K in DemoRecordKind]: (doctor: DemoDoctor) => readonly DemoRecords[K][] } = {
  trainees: (doctor) => doctor.trainees,
  'gmc-doctors': (doctor) => (doctor.gmcDoctor === null ? [] : [doctor.gmcDoctor]),
  recommendations: (doctor) => doctor.recommendations,
  'connection-failures': (doctor) => (doctor.connectionFailure === null ? [] : [doctor.connectionFailure]),
};

/** A doctor's records of one kind. */
export function recordsOf<K extends DemoRecordKind>(doctor: DemoDoctor, kind: K): readonly DemoRecords[K][] {
  return RECORDS_OF[kind](doctor);
}

function prepareRun(options: ResolvedGenerateOptions): Run {
  const bodies: DesignatedBody[] = [];
  const aliasOwners = new Map<string, string[]>();
  for (const body of options.designatedBodies) {
    if (bodies.some((known) => known.code === body.code)) {
      aliasOwners.set(body.code, [...(aliasOwners.get(body.code) ?? []), body.owner]);
    } else {
      bodies.push(body);
    }
  }
  const [hash] = hashText(`gmc:${options.seed}`);
  return { seed: options.seed, today: options.today, bodies, aliasOwners, gmcNumberOffset: hash % GMC_NUMBER_RANGE };
}

const GMC_NUMBER_RANGE = 9_000_000;
// Coprime with 9,000,000 (= 2^6 · 3^2 · 5^6), so index → number is one-to-one over the whole range.
const GMC_NUMBER_STRIDE = 7_654_321;

/** A 7-digit GMC number, unique per index within a run, scattered so neighbours don't look sequential. */
function gmcNumberOf(run: Run, index: number): string {
  return String(1_000_000 + ((run.gmcNumberOffset + index * GMC_NUMBER_STRIDE) % GMC_NUMBER_RANGE));
}

/** The ways of writing a GMC number that is not one: REVAL.md's list, plus one with a non-breaking space. */
function notAGmcNumber(rng: Random, gmcNumber: string): string | null {
  const forms = [...NOT_GMC_NUMBERS, 'nbsp', 'null'];
  const form = rng.pick(forms);
  // Inside, not at an end: the write API trims, and trimming removes U+00A0 too.
  if (form === 'nbsp') return `${gmcNumber.slice(0, 3)}\u00a0${gmcNumber.slice(3)}`;
  return form === 'null' ? null : form;
}

/** Three TCS person ids per doctor: the first person, and up to two more claiming the same GMC number. */
const TCS_PERSON_IDS_PER_DOCTOR = 3;
const FIRST_TCS_PERSON_ID = 100_001;

function buildDoctor(run: Run, index: number): DemoDoctor {
  const rng = new Random(`${run.seed}:${index}`);
  const home = run.bodies[index % run.bodies.length] ?? run.bodies[0];
  if (home === undefined) throw new RangeError('no designated bodies');
  const gmcNumber = gmcNumberOf(run, index);
  const programme = rng.weighted(PROGRAMME_SCENARIO_SHARES);
  const name = pickName(rng);
  const traineeContext: TraineeContext = {
    rng,
    today: run.today,
    home,
    bodies: run.bodies,
    aliasOwners: run.aliasOwners,
  };

  const trainees = [];
  let hasValidGmcNumber = true;
  let isNotTraineeRole = false;
  if (programme !== 'gmc-only') {
    hasValidGmcNumber = !rng.chance(INVALID_GMC_NUMBER_PERCENT / 100);
    isNotTraineeRole = rng.chance(NOT_TRAINEE_ROLE_PERCENT / 100);
    const firstId = FIRST_TCS_PERSON_ID + index * TCS_PERSON_IDS_PER_DOCTOR;
    const identity: PersonIdentity = {
      tcsPersonId: firstId,
      gmcReferenceNumber: hasValidGmcNumber ? gmcNumber : notAGmcNumber(rng, gmcNumber),
      ...name,
      isNotTraineeRole,
    };
    trainees.push(buildTrainee(traineeContext, identity, programme));
    if (hasValidGmcNumber && rng.chance(SHARED_GMC_NUMBER_PERCENT / 100)) {
      const others = rng.chance(0.3) ? 2 : 1;
      for (let k = 1; k <= others; k++) {
        // A duplicate record of the same person, or a mistyped number on someone else's.
        const otherName = rng.chance(0.5) ? name : pickName(rng);
        const other = {
          tcsPersonId: firstId + k,
          gmcReferenceNumber: gmcNumber,
          ...otherName,
          isNotTraineeRole: false,
        };
        trainees.push(buildTrainee(traineeContext, other, rng.chance(0.6) ? 'ended' : 'current'));
      }
    }
  }

  if (!hasValidGmcNumber) {
    return {
      index,
      profile: {
        designatedBodyCode: home.code,
        programme,
        hasValidGmcNumber,
        isNotTraineeRole,
        tcsPersons: trainees.length,
        gmc: null,
        recommendations: 'none',
        hasConnectionFailure: false,
      },
      trainees,
      gmcDoctor: null,
      recommendations: [],
      connectionFailure: null,
    };
  }

  const gmcContext: GmcContext = {
    rng,
    today: run.today,
    gmcReferenceNumber: gmcNumber,
    ...name,
    homeCode: home.code,
    codes: run.bodies.map((body) => body.code),
  };
  const gmc = rng.weighted(programme === 'gmc-only' ? GMC_ONLY_STATE_SHARES : GMC_STATE_SHARES);
  const recommendationScenario = gmc === 'not-in-gmc' ? 'none' : rng.weighted(RECOMMENDATION_SCENARIO_SHARES);
  const gmcDoctor = buildGmcDoctor(gmcContext, gmc, recommendationScenario);
  const recommendations = buildRecommendations(gmcContext, recommendationScenario, gmcDoctor);
  const connectionFailure = buildConnectionFailure(gmcContext);
  return {
    index,
    profile: {
      designatedBodyCode: home.code,
      programme,
      hasValidGmcNumber,
      isNotTraineeRole,
      tcsPersons: trainees.length,
      gmc,
      recommendations: recommendationScenario,
      hasConnectionFailure: connectionFailure !== null,
    },
    trainees,
    gmcDoctor,
    recommendations,
    connectionFailure,
  };
}
