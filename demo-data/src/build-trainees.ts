import type { DesignatedBody, TraineeInput } from '@changeflow/reval';
import { addDays } from './dates.js';
import type { Random } from './random.js';
import {
  EARLIER_FOUNDATION_PERCENT,
  MEMBERSHIP_TYPE_SHARES,
  NO_ROLE_PERCENT,
  type ProgrammeScenario,
} from './shares.js';
import {
  FIRST_NAMES,
  FOUNDATION_PROGRAMME,
  LAST_NAMES,
  NOT_TRAINEE_ROLES,
  PROGRAMMES,
  type ProgrammeTemplate,
  TRAINEE_ROLES,
} from './vocabulary.js';

type Membership = TraineeInput['programmeMemberships'][number];
type Placement = TraineeInput['placements'][number];

/** What the TCS builders need to know about the doctor being generated. */
export interface TraineeContext {
  rng: Random;
  today: string;
  /** The doctor's local office; its owner names the memberships' programme owner. */
  home: DesignatedBody;
  /** Every designated body (for a second membership owned elsewhere). */
  bodies: readonly DesignatedBody[];
  /** Other owners that answer to a code ("London LETBs" for the London codes). */
  aliasOwners: ReadonlyMap<string, readonly string[]>;
}

/** A TCS person's identity: who they are, apart from their programme. */
export interface PersonIdentity {
  tcsPersonId: number;
  gmcReferenceNumber: string | null;
  firstName: string;
  lastName: string;
  isNotTraineeRole: boolean;
}

const DAYS_PER_YEAR = 365;

/** A made-up name from the built-in lists. */
export function pickName(rng: Random): { firstName: string; lastName: string } {
  return { firstName: rng.pick(FIRST_NAMES), lastName: rng.pick(LAST_NAMES) };
}

/** One TCS person: identity, role and the memberships and placements of `scenario`. */
export function buildTrainee(
  context: TraineeContext,
  identity: PersonIdentity,
  scenario: Exclude<ProgrammeScenario, 'gmc-only'>,
): TraineeInput {
  const { rng } = context;
  const periods = periodsOf(context, scenario);
  const mayHaveDoneFoundation =
    periods.length > 0 &&
    scenario !== 'ended-yesterday' &&
    scenario !== 'starts-today' &&
    periods.every((p) => p.template !== FOUNDATION_PROGRAMME);
  if (mayHaveDoneFoundation && rng.chance(EARLIER_FOUNDATION_PERCENT / 100)) {
    periods.unshift(earlierFoundation(context, periods));
  }
  const programmeMemberships: Membership[] = [];
  const placements: Placement[] = [];
  for (const period of periods) {
    programmeMemberships.push(toMembership(context, period));
    placements.push(...placementsOf(period));
  }
  return {
    tcsPersonId: identity.tcsPersonId,
    gmcReferenceNumber: identity.gmcReferenceNumber,
    firstName: identity.firstName,
    lastName: identity.lastName,
    role: roleOf(rng, identity.isNotTraineeRole),
    programmeMemberships,
    placements,
  };
}

function roleOf(rng: Random, isNotTraineeRole: boolean): string | null {
  if (isNotTraineeRole) return rng.pick(NOT_TRAINEE_ROLES);
  return rng.chance(NO_ROLE_PERCENT / 100) ? null : rng.pick(TRAINEE_ROLES);
}

/** A membership before it becomes a record: its programme, type, owner and dates. */
interface Period {
  template: ProgrammeTemplate;
  membershipType: string;
  programmeOwner: string;
  startDate: string;
  endDate: string;
}

function periodsOf(context: TraineeContext, scenario: Exclude<ProgrammeScenario, 'gmc-only'>): Period[] {
  const { rng, today } = context;
  switch (scenario) {
    case 'current':
      return [currentPeriod(context, ordinaryType(rng))];
    case 'several-current': {
      const periods = [currentPeriod(context, ordinaryType(rng))];
      const extra = rng.chance(0.15) ? 2 : 1;
      for (let i = 0; i < extra; i++) {
        // A third of second memberships belong to another local office (a trainee on an inter-deanery move).
        const owner = rng.chance(1 / 3) ? rng.pick(context.bodies).owner : undefined;
        periods.push(currentPeriod(context, ordinaryType(rng), owner));
      }
      return periods;
    }
    case 'ended': {
      const template = pickProgramme(rng);
      const endDate = addDays(today, -rng.int(2, 900));
      return [period(context, template, ordinaryType(rng), addDays(endDate, -lengthDays(rng, template)), endDate)];
    }
    case 'future': {
      const template = pickProgramme(rng);
      const startDate = addDays(today, rng.int(1, 240));
      return [period(context, template, ordinaryType(rng), startDate, addDays(startDate, lengthDays(rng, template)))];
    }
    case 'ended-yesterday': {
      const template = pickProgramme(rng);
      const endDate = addDays(today, -1);
      return [period(context, template, ordinaryType(rng), addDays(endDate, -lengthDays(rng, template)), endDate)];
    }
    case 'starts-today': {
      const template = pickProgramme(rng);
      const next = period(context, template, ordinaryType(rng), today, addDays(today, lengthDays(rng, template)));
      if (!rng.chance(0.5)) return [next];
      // Rotating straight from one programme into the next: both sides change overnight.
      const before = FOUNDATION_PROGRAMME;
      const endDate = addDays(today, -1);
      return [period(context, before, 'SUBSTANTIVE', addDays(endDate, -lengthDays(rng, before)), endDate), next];
    }
    case 'visitor':
      return [currentPeriod(context, 'VISITOR')];
    case 'military':
      return [currentPeriod(context, 'MILITARY')];
    case 'no-programme':
      return [];
  }
}

function ordinaryType(rng: Random): string {
  return rng.weighted(MEMBERSHIP_TYPE_SHARES);
}

function pickProgramme(rng: Random): ProgrammeTemplate {
  return rng.pick(PROGRAMMES);
}

/** Days from start to end: the programme's length give or take 10%; LAT/FTSTA posts are about a year. */
function lengthDays(rng: Random, template: ProgrammeTemplate, membershipType?: string): number {
  const years =
    membershipType === 'LAT' || membershipType === 'FTSTA' || membershipType === 'VISITOR' ? 1 : template.years;
  const nominal = years * DAYS_PER_YEAR;
  return rng.int(Math.round(nominal * 0.9), Math.round(nominal * 1.1));
}

function ownerOf(context: TraineeContext): string {
  const aliases = context.aliasOwners.get(context.home.code) ?? [];
  // A quarter of the London trainees are owned by "London LETBs", which maps to the same code.
  return aliases.length > 0 && context.rng.chance(0.25) ? context.rng.pick(aliases) : context.home.owner;
}

function period(
  context: TraineeContext,
  template: ProgrammeTemplate,
  membershipType: string,
  startDate: string,
  endDate: string,
  programmeOwner: string = ownerOf(context),
): Period {
  return { template, membershipType, programmeOwner, startDate, endDate };
}

/** A membership with `start < today < end`, somewhere in its course. */
function currentPeriod(context: TraineeContext, membershipType: string, owner?: string): Period {
  const { rng, today } = context;
  const template = pickProgramme(rng);
  const length = lengthDays(rng, template, membershipType);
  const elapsed = rng.int(1, length - 1);
  const startDate = addDays(today, -elapsed);
  return period(context, template, membershipType, startDate, addDays(startDate, length), owner);
}

/** The Foundation programme the doctor finished before their first membership in `periods`. */
function earlierFoundation(context: TraineeContext, periods: readonly Period[]): Period {
  const { rng } = context;
  // ISO dates sort as text.
  const firstStart = periods.map((p) => p.startDate).sort()[0] ?? context.today;
  const endDate = addDays(firstStart, -rng.int(1, 120));
  const startDate = addDays(endDate, -lengthDays(rng, FOUNDATION_PROGRAMME));
  return period(context, FOUNDATION_PROGRAMME, 'SUBSTANTIVE', startDate, endDate);
}

function toMembership(context: TraineeContext, p: Period): Membership {
  const { rng } = context;
  const curricula = Array.from({ length: rng.chance(0.3) ? 2 : 1 }, () => ({
    curriculumEndDate: rng.chance(0.05) ? null : addDays(p.endDate, rng.int(-90, 180)),
  }));
  return {
    programmeName: p.template.name,
    membershipType: p.membershipType,
    startDate: p.startDate,
    endDate: p.endDate,
    programmeOwner: p.programmeOwner,
    curricula,
  };
}

/**
 * One placement per stage of the programme, splitting the membership evenly, so the first starts on
 * the membership's start date and the last ends on its end date (a Foundation doctor in their first
 * half holds grade 279, foundation year 1).
 */
function placementsOf(p: Period): Placement[] {
  const stages = p.template.gradeIds.length;
  const totalDays = daysBetween(p.startDate, p.endDate);
  return p.template.gradeIds.map((gradeId, stage) => ({
    gradeId: String(gradeId),
    startDate: addDays(p.startDate, Math.floor((stage * totalDays) / stages)),
    endDate:
      stage === stages - 1 ? p.endDate : addDays(p.startDate, Math.floor(((stage + 1) * totalDays) / stages) - 1),
  }));
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
