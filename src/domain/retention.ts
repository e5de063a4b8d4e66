/**
 * What is kept after an account closes, for how long, and when it is erased: record
 * classes, the retention periods per jurisdiction, and the schedule they make. Pure: the
 * instants come in as arguments. docs/retention.md gives the legal basis of each period.
 */
import { YEAR } from './duration.js';

/**
 * The classes of records offboard and the platform keep about a holder. `security` and
 * `preferences` are required by no law and go at closure; the others are kept for the
 * period their jurisdiction's anti-money-laundering law sets, counted from the closure.
 */
export type RecordClass =
  'identity' | 'transactions' | 'communications' | 'security' | 'preferences';

export const RECORD_CLASSES: readonly RecordClass[] = [
  'identity',
  'transactions',
  'communications',
  'security',
  'preferences',
];

/** The classes a law requires to be kept: their period comes from the policy. */
export type RegulatedClass = 'identity' | 'transactions' | 'communications';
export const REGULATED_CLASSES: readonly RegulatedClass[] = [
  'identity',
  'transactions',
  'communications',
];

/** The classes no law requires: erased when the account closes. */
export const ERASED_AT_CLOSURE: readonly RecordClass[] = ['security', 'preferences'];

/** How long each regulated class is kept in one jurisdiction, and why. */
export interface RetentionPeriods {
  readonly identityMs: number;
  readonly transactionsMs: number;
  readonly communicationsMs: number;
  /** The law the periods come from, as the certificate cites it. */
  readonly legalBasis: string;
}

// EU member states and the EEA states that apply the directive.
const EU_EEA =
  `AT BE BG CY CZ DK EE ES FI GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK IS LI NO`.split(' ');

const periods = (years: number, legalBasis: string): RetentionPeriods =>
  Object.freeze({
    identityMs: years * YEAR,
    transactionsMs: years * YEAR,
    communicationsMs: years * YEAR,
    legalBasis,
  });

/**
 * The shipped periods: every jurisdiction the builtin ledger opens accounts in, and a few
 * more. The citations and what each one says are in docs/retention.md; a policy file
 * overrides them per jurisdiction and class (`retention.<CC>.<class>`).
 */
export const DEFAULT_RETENTION: ReadonlyMap<string, RetentionPeriods> = new Map([
  // Every EU/EEA state keeps five years under the directive as its own law transposes it;
  // the two the ledger opens accounts in name their national provision too.
  ...EU_EEA.map(
    (code) => [code, periods(5, 'EU AMLD (EU) 2015/849 art. 40, as transposed')] as const,
  ),
  ['DE', periods(5, 'EU AMLD (EU) 2015/849 art. 40; GwG § 8(4)')],
  ['FR', periods(5, 'EU AMLD (EU) 2015/849 art. 40; Code monétaire et financier art. L561-12')],
  ['GB', periods(5, 'Money Laundering Regulations 2017 reg. 40')],
  ['US', periods(5, 'Bank Secrecy Act, 31 CFR 1010.430')],
  ['CA', periods(5, 'PCMLTFA; PCMLTF Regulations (SOR/2002-184) s. 148')],
  ['SG', periods(5, 'MAS Notice PSN02 (payment services), record keeping')],
  ['HK', periods(5, 'AMLO (Cap. 615) Sch. 2 s. 20')],
  ['BR', periods(5, 'Lei 9.613/1998 art. 10 § 2')],
  ['NG', periods(5, 'Money Laundering (Prevention and Prohibition) Act 2022, record keeping')],
  ['AU', periods(7, 'AML/CTF Act 2006 (Cth) Part 10 (ss. 107, 112-114)')],
  ['JP', periods(7, 'Act on Prevention of Transfer of Criminal Proceeds arts. 6-7')],
]);

/** The jurisdictions the builtin ledger opens accounts in: the policy check requires a period for each. */
export const LEDGER_JURISDICTIONS: readonly string[] = [
  'DE',
  'FR',
  'GB',
  'US',
  'SG',
  'JP',
  'BR',
  'NG',
];

/** The period of one regulated class. */
export function periodOf(retention: RetentionPeriods, recordClass: RegulatedClass): number {
  switch (recordClass) {
    case 'identity':
      return retention.identityMs;
    case 'transactions':
      return retention.transactionsMs;
    case 'communications':
      return retention.communicationsMs;
  }
}

/** When each regulated class may be erased: its period after the closure instant. */
export function retentionEnds(
  retention: RetentionPeriods,
  closedAt: Date,
): ReadonlyMap<RegulatedClass, Date> {
  return new Map(
    REGULATED_CLASSES.map((c) => [c, new Date(closedAt.getTime() + periodOf(retention, c))]),
  );
}

/** The regulated classes whose period has ended at `now` and that are not erased yet. */
export function dueClasses(
  retention: RetentionPeriods,
  closedAt: Date,
  erased: readonly RecordClass[],
  now: Date,
): RegulatedClass[] {
  const due: RegulatedClass[] = [];
  for (const [recordClass, end] of retentionEnds(retention, closedAt)) {
    if (!erased.includes(recordClass) && end.getTime() <= now.getTime()) due.push(recordClass);
  }
  return due;
}

/** The next instant a class still kept becomes due; null when every class is erased. */
export function nextRetentionEnd(
  retention: RetentionPeriods,
  closedAt: Date,
  erased: readonly RecordClass[],
): Date | null {
  let next: Date | null = null;
  for (const [recordClass, end] of retentionEnds(retention, closedAt)) {
    if (erased.includes(recordClass)) continue;
    if (next === null || end.getTime() < next.getTime()) next = end;
  }
  return next;
}
