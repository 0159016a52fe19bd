import {
  connectionFailureInputSchema,
  DEFAULT_DESIGNATED_BODIES,
  gmcDoctorInputSchema,
  recommendationInputSchema,
  traineeInputSchema,
} from '@changeflow/reval';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  addDays,
  addMonths,
  DEMO_RECORD_KINDS,
  type DemoRecordKind,
  generateDoctors,
  generateRecords,
  MAX_DOCTORS,
  ndjsonStream,
} from '../src/index.js';

const TODAY = '2026-03-15';
const YESTERDAY = addDays(TODAY, -1);

async function ndjsonOf(kind: DemoRecordKind, seed: string, doctors: number): Promise<string> {
  let text = '';
  for await (const chunk of ndjsonStream(generateRecords(kind, { doctors, seed, today: TODAY }))) text += chunk;
  return text;
}

describe('determinism', () => {
  it('gives byte-identical NDJSON for the same seed, doctors and today', async () => {
    for (const kind of DEMO_RECORD_KINDS) {
      const first = await ndjsonOf(kind, 'same', 500);
      expect(first.length).toBeGreaterThan(0);
      expect(await ndjsonOf(kind, 'same', 500)).toBe(first);
    }
  });

  it('gives different data for a different seed', async () => {
    for (const kind of DEMO_RECORD_KINDS) {
      expect(await ndjsonOf(kind, 'one', 500)).not.toBe(await ndjsonOf(kind, 'two', 500));
    }
  });

  it('treats a number seed like its text, and keeps doctor i the same whatever the total', () => {
    const fromNumber = [...generateDoctors({ doctors: 50, seed: 7, today: TODAY })];
    const fromText = [...generateDoctors({ doctors: 100, seed: '7', today: TODAY })];
    expect(fromText.slice(0, 50)).toEqual(fromNumber);
  });
});

describe('validity', () => {
  const doctors = [...generateDoctors({ doctors: 2000, seed: 'valid', today: TODAY })];

  function expectValid<T>(schema: z.ZodType<T>, record: T) {
    const parsed = schema.safeParse(record);
    expect(parsed.error).toBeUndefined();
    // The generator writes the schemas' output shape, so parsing changes nothing (no trimming, no defaults).
    expect(parsed.data).toEqual(record);
  }

  it('passes every record through its write API schema unchanged', () => {
    for (const doctor of doctors) {
      for (const trainee of doctor.trainees) expectValid(traineeInputSchema, trainee);
      if (doctor.gmcDoctor !== null) expectValid(gmcDoctorInputSchema, doctor.gmcDoctor);
      for (const recommendation of doctor.recommendations) expectValid(recommendationInputSchema, recommendation);
      if (doctor.connectionFailure !== null) expectValid(connectionFailureInputSchema, doctor.connectionFailure);
    }
  });

  it('keeps ids unique: TCS person ids, GMC doctors per number, recommendation ids', () => {
    const tcsIds = doctors.flatMap((d) => d.trainees.map((t) => t.tcsPersonId));
    expect(new Set(tcsIds).size).toBe(tcsIds.length);
    const gmcNumbers = doctors.flatMap((d) => (d.gmcDoctor === null ? [] : [d.gmcDoctor.gmcReferenceNumber]));
    expect(new Set(gmcNumbers).size).toBe(gmcNumbers.length);
    for (const gmcNumber of gmcNumbers) expect(gmcNumber).toMatch(/^[1-9]\d{6}$/);
    const recommendationIds = doctors.flatMap((d) => d.recommendations.map((r) => r.id));
    expect(new Set(recommendationIds).size).toBe(recommendationIds.length);
  });

  it('rejects options outside the accepted range', () => {
    expect(() => generateDoctors({ doctors: -1, seed: 's', today: TODAY }).next()).toThrow(/doctors/);
    expect(() => generateDoctors({ doctors: MAX_DOCTORS + 1, seed: 's', today: TODAY }).next()).toThrow();
    expect(() => generateDoctors({ doctors: 1, seed: 's', today: '2026-02-30' }).next()).toThrow(/calendar date/);
  });
});

describe('variety (2,000 doctors)', () => {
  const doctors = [...generateDoctors({ doctors: 2000, seed: 'variety', today: TODAY })];
  const trainees = doctors.flatMap((d) => d.trainees);
  const memberships = trainees.flatMap((t) => t.programmeMemberships);
  const placements = trainees.flatMap((t) => t.placements);
  const gmcDoctors = doctors.flatMap((d) => (d.gmcDoctor === null ? [] : [d.gmcDoctor]));
  const recommendations = doctors.flatMap((d) => d.recommendations);
  const isCurrent = (p: { startDate: string | null; endDate: string | null }) =>
    p.startDate !== null && p.endDate !== null && p.startDate <= TODAY && TODAY <= p.endDate;
  const countOf = <T>(items: readonly T[], predicate: (item: T) => boolean) => items.filter(predicate).length;

  it('covers every designated body, in TCS and in GMC', () => {
    const codes = new Set(DEFAULT_DESIGNATED_BODIES.map((body) => body.code));
    expect(new Set(gmcDoctors.map((d) => d.designatedBodyCode).filter((code) => code !== null))).toEqual(codes);
    const owners = new Set(DEFAULT_DESIGNATED_BODIES.map((body) => body.owner));
    expect(new Set(memberships.map((m) => m.programmeOwner))).toEqual(owners);
  });

  it('has every membership type, and expired, future, current, several-current, ended-yesterday and starting-today memberships', () => {
    const types = (type: string) => countOf(memberships, (m) => m.membershipType === type && isCurrent(m));
    expect(types('SUBSTANTIVE')).toBeGreaterThan(800);
    expect(types('LAT')).toBeGreaterThan(60);
    expect(types('FTSTA')).toBeGreaterThan(60);
    expect(types('VISITOR')).toBeGreaterThan(50);
    expect(types('MILITARY')).toBeGreaterThan(50);
    expect(countOf(memberships, (m) => m.endDate !== null && m.endDate < YESTERDAY)).toBeGreaterThan(400);
    expect(countOf(memberships, (m) => m.startDate !== null && m.startDate > TODAY)).toBeGreaterThan(40);
    expect(countOf(memberships, (m) => m.endDate === YESTERDAY)).toBeGreaterThan(80);
    expect(countOf(memberships, (m) => m.startDate === TODAY)).toBeGreaterThan(40);
    expect(countOf(trainees, (t) => countOf(t.programmeMemberships, isCurrent) >= 2)).toBeGreaterThan(60);
    expect(countOf(trainees, (t) => countOf(t.programmeMemberships, isCurrent) >= 3)).toBeGreaterThan(5);
    expect(countOf(trainees, (t) => t.programmeMemberships.length === 0)).toBeGreaterThan(20);
    const onlyEnded = (t: (typeof trainees)[number]) =>
      t.programmeMemberships.length > 0 && t.programmeMemberships.every((m) => m.endDate !== null && m.endDate < TODAY);
    expect(countOf(trainees, onlyEnded)).toBeGreaterThan(150);
    expect(countOf(memberships, (m) => m.programmeOwner === 'London LETBs')).toBeGreaterThan(20);
  });

  it('has placements of grade 279 (current ones too) and placements changing today', () => {
    expect(countOf(placements, (p) => p.gradeId === '279')).toBeGreaterThan(300);
    expect(countOf(placements, (p) => p.gradeId === '279' && isCurrent(p))).toBeGreaterThan(40);
    expect(countOf(placements, (p) => p.gradeId !== '279' && isCurrent(p))).toBeGreaterThan(800);
    expect(countOf(placements, (p) => p.startDate === TODAY)).toBeGreaterThan(40);
    expect(countOf(placements, (p) => p.endDate === YESTERDAY)).toBeGreaterThan(80);
  });

  it('mixes under notice, disconnections and doctors with no designated body', () => {
    expect(countOf(gmcDoctors, (d) => d.underNotice === 'YES')).toBeGreaterThan(300);
    expect(countOf(gmcDoctors, (d) => d.underNotice === 'NO')).toBeGreaterThan(900);
    expect(countOf(gmcDoctors, (d) => d.underNotice === 'ON_HOLD')).toBeGreaterThan(100);
    expect(countOf(gmcDoctors, (d) => !d.existsInGmc)).toBeGreaterThan(60);
    expect(countOf(gmcDoctors, (d) => !d.existsInGmc && d.designatedBodyCode === null)).toBe(
      countOf(gmcDoctors, (d) => !d.existsInGmc),
    );
    expect(countOf(gmcDoctors, (d) => d.existsInGmc && d.designatedBodyCode === null)).toBeGreaterThan(60);
    const gmcNumbers = new Set(gmcDoctors.map((d) => d.gmcReferenceNumber));
    // TCS only, and GMC only.
    expect(countOf(doctors, (d) => d.trainees.length > 0 && d.gmcDoctor === null)).toBeGreaterThan(100);
    expect(countOf(doctors, (d) => d.trainees.length === 0 && d.gmcDoctor !== null)).toBeGreaterThan(40);
    // Connected somewhere other than the local office TCS names.
    const elsewhere = doctors.filter(
      (d) =>
        d.gmcDoctor?.designatedBodyCode !== undefined &&
        d.gmcDoctor.designatedBodyCode !== null &&
        d.gmcDoctor.designatedBodyCode !== d.profile.designatedBodyCode,
    );
    expect(elsewhere.length).toBeGreaterThan(60);
    expect(gmcNumbers.size).toBe(gmcDoctors.length);
  });

  it('has connection failures', () => {
    expect(
      countOf(doctors, (d) => d.connectionFailure !== null && d.connectionFailure.reason !== null),
    ).toBeGreaterThan(40);
  });

  it('has GMC numbers that are not GMC numbers, dummy and placeholder roles, and shared GMC numbers', () => {
    const gmc = (value: string | null) => countOf(trainees, (t) => t.gmcReferenceNumber === value);
    expect(gmc('')).toBeGreaterThan(0);
    expect(countOf(trainees, (t) => t.gmcReferenceNumber?.toLowerCase() === 'unknown')).toBeGreaterThan(0);
    expect(gmc('N/A') + gmc('n/a')).toBeGreaterThan(0);
    expect(gmc('na')).toBeGreaterThan(0);
    expect(gmc(null)).toBeGreaterThan(0);
    expect(countOf(trainees, (t) => t.gmcReferenceNumber?.includes('\u00a0') === true)).toBeGreaterThan(0);
    expect(countOf(trainees, (t) => /dummy/i.test(t.role ?? ''))).toBeGreaterThan(0);
    expect(countOf(trainees, (t) => /placeholder/i.test(t.role ?? ''))).toBeGreaterThan(0);
    expect(countOf(trainees, (t) => /dummy|placeholder/i.test(t.role ?? ''))).toBeGreaterThan(20);
    expect(countOf(trainees, (t) => t.role === null)).toBeGreaterThan(20);
    const claims = new Map<string, number>();
    for (const t of trainees) {
      if (t.gmcReferenceNumber !== null && /^\d{7}$/.test(t.gmcReferenceNumber)) {
        claims.set(t.gmcReferenceNumber, (claims.get(t.gmcReferenceNumber) ?? 0) + 1);
      }
    }
    expect(countOf([...claims.values()], (n) => n >= 2)).toBeGreaterThan(30);
    expect(countOf([...claims.values()], (n) => n === 3)).toBeGreaterThan(3);
  });

  it('has recommendations in every type, status and outcome, past completed ones and drafts', () => {
    const oneMonthBefore = addMonths(TODAY, -1);
    for (const type of ['REVALIDATE', 'DEFER', 'NON_ENGAGEMENT', null]) {
      expect(countOf(recommendations, (r) => r.type === type)).toBeGreaterThan(10);
    }
    for (const outcome of ['APPROVED', 'REJECTED', 'UNDER_REVIEW', null]) {
      expect(countOf(recommendations, (r) => r.outcome === outcome)).toBeGreaterThan(40);
    }
    for (const status of ['READY_TO_REVIEW', 'DRAFT', 'NOT_STARTED', 'SUBMITTED_TO_GMC', 'COMPLETED']) {
      expect(countOf(recommendations, (r) => r.status === status)).toBeGreaterThan(10);
    }
    const underNoticeOf = new Map(gmcDoctors.map((d) => [d.gmcReferenceNumber, d.underNotice]));
    const pastCompleted = (r: (typeof recommendations)[number]) =>
      r.outcome === 'APPROVED' &&
      underNoticeOf.get(r.gmcReferenceNumber) === 'YES' &&
      r.actualSubmissionDate !== null &&
      r.actualSubmissionDate < oneMonthBefore;
    expect(countOf(recommendations, pastCompleted)).toBeGreaterThan(200);
    expect(countOf(recommendations, (r) => r.actualSubmissionDate === addDays(oneMonthBefore, -1))).toBeGreaterThan(20);
    expect(countOf(recommendations, (r) => r.outcome === 'APPROVED' && !pastCompleted(r))).toBeGreaterThan(60);
    // A past-completed recommendation followed by a new draft.
    const byGmc = new Map<string, (typeof recommendations)[number][]>();
    for (const r of recommendations) byGmc.set(r.gmcReferenceNumber, [...(byGmc.get(r.gmcReferenceNumber) ?? []), r]);
    const draftAfterPast = [...byGmc.values()].filter(
      (rs) => rs.some(pastCompleted) && rs.some((r) => r.status === 'READY_TO_REVIEW'),
    );
    expect(draftAfterPast.length).toBeGreaterThan(60);
  });
});

describe('laziness', () => {
  it('yields the first doctor without generating the rest', () => {
    const started = performance.now();
    const first = generateDoctors({ doctors: MAX_DOCTORS, seed: 'lazy', today: TODAY }).next();
    expect(first.done).toBe(false);
    // A million doctors would take minutes; one takes a moment.
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('iterates 100,000 doctors one at a time', { timeout: 180_000 }, () => {
    let doctors = 0;
    let trainees = 0;
    let largest = 0;
    for (const doctor of generateDoctors({ doctors: 100_000, seed: 'lazy', today: TODAY })) {
      doctors++;
      trainees += doctor.trainees.length;
      largest = Math.max(largest, doctor.index);
    }
    expect(doctors).toBe(100_000);
    expect(largest).toBe(99_999);
    expect(trainees).toBeGreaterThan(90_000);
  });
});
