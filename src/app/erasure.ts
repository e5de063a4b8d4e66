import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, fsyncSync, openSync } from 'node:fs';
import { raise } from '../domain/errors.js';
import type { HoldKind } from '../domain/facts.js';
import {
  dueClasses,
  ERASED_AT_CLOSURE,
  nextRetentionEnd,
  retentionEnds,
  REGULATED_CLASSES,
} from '../domain/retention.js';
import type { RecordClass, RetentionPeriods } from '../domain/retention.js';
import type { Erasure, StoredCertificate } from '../ports/erasures.js';
import type { PlatformErasure } from '../ports/platform.js';
import type { Repositories } from '../ports/unit-of-work.js';
import { canonicalJson } from '../domain/canonical-json.js';
import type { Actor, AppContext, ErasureSettings } from './context.js';
import { record } from './notifications.js';

/*
 * Retention, then erasure. A closed account's erasure job is scheduled in the transaction
 * that stores the closure closed, due when its first retention period ends. `eraseDue` is
 * the one erase path: it checks the period and the holds, asks the platform to erase its
 * side, then in one transaction destroys the account's data key, deletes offboard's own
 * records of the due classes, signs the certificate, journals the erasure and audits it.
 * A worker killed anywhere repeats the job after its lease: the platform call repeats under
 * the same idempotency key, and the transaction either committed (the job is done) or not.
 */

const WORKER: Actor = { kind: 'worker', id: 'erasure' };
/** How often a job suspended by a hold looks again (a lifted hold also wakes it at once). */
export const HOLD_RECHECK_MS = 24 * 60 * 60 * 1000;
/** How long a failed job waits before the next attempt. */
const RETRY_MS = 60 * 60 * 1000;

export type ErasureOutcome =
  | { accountId: string; result: 'erased'; classes: RecordClass[]; certificateId: string }
  | { accountId: string; result: 'held'; holds: HoldKind[] }
  | { accountId: string; result: 'not_due'; dueAt: Date | null }
  | { accountId: string; result: 'failed'; code: string; message: string };

/** The certificate body, before its signature. */
export interface CertificateBody {
  type: 'offboard.erasure-certificate';
  version: 1;
  certificateId: string;
  accountId: string;
  jurisdiction: string;
  closedAt: string;
  erasedAt: string;
  erased: { class: RecordClass; retentionEndedAt: string | null }[];
  kept: { class: RecordClass; until: string }[];
  policy: { version: string; legalBasis: string };
  method: string[];
  platform: PlatformErasure;
  retained: { what: string; why: string }[];
  suspendedByHold: { from: string; to: string } | null;
  keyId: string;
}

export interface ErasureCertificate extends CertificateBody {
  /** Ed25519 over the canonical JSON of everything else, base64. */
  signature: string;
}

function settings(ctx: AppContext): ErasureSettings {
  if (!ctx.erasure) throw new Error('erasure is not configured in this context');
  return ctx.erasure;
}

/**
 * Schedules a closed account's erasure, in the transaction that stores the closure closed.
 * The security and preference classes went at closure; the job is due when the first
 * regulated class's period ends. A jurisdiction without a period is due at once, so
 * `erasure due` shows it and the run refuses it with RETENTION_UNCONFIGURED: never a
 * silent default.
 */
export async function scheduleErasure(
  ctx: AppContext,
  repos: Repositories,
  input: { accountId: string; jurisdiction: string; closedAt: Date },
): Promise<void> {
  const retention = ctx.erasure?.retention(input.jurisdiction) ?? null;
  const dueAt = retention
    ? nextRetentionEnd(retention, input.closedAt, ERASED_AT_CLOSURE)
    : input.closedAt;
  await repos.erasures.eraseOwnRecords(input.accountId, ERASED_AT_CLOSURE);
  await repos.erasures.schedule({
    ...input,
    dueAt,
    erasedClasses: ERASED_AT_CLOSURE,
    now: input.closedAt,
  });
}

/** Claims due erasure jobs and runs each; returns what happened to each. */
export async function runErasureBatch(
  ctx: AppContext,
  options: {
    owner: string;
    limit: number;
    leaseMs: number;
    /** Told of each account as soon as it is done. */
    onOutcome?: (outcome: ErasureOutcome) => void;
  },
): Promise<ErasureOutcome[]> {
  const now = ctx.clock.now();
  const claimed = await ctx.repos.erasures.claimDue({
    now,
    owner: options.owner,
    until: new Date(now.getTime() + options.leaseMs),
    limit: options.limit,
  });
  const outcomes: ErasureOutcome[] = [];
  for (const erasure of claimed) {
    const outcome = await eraseClaimed(ctx, erasure, options.owner);
    options.onOutcome?.(outcome);
    outcomes.push(outcome);
  }
  if (outcomes.some((o) => o.result === 'erased')) await ctx.repos.erasures.compact();
  await copyJournal(ctx);
  return outcomes;
}

/** Runs batches until nothing is due (or `maxBatches` ran): `offboard erasure run`. */
export async function runDueErasures(
  ctx: AppContext,
  options: {
    owner: string;
    batchSize: number;
    leaseMs: number;
    onOutcome?: (outcome: ErasureOutcome) => void;
  },
): Promise<ErasureOutcome[]> {
  const all: ErasureOutcome[] = [];
  for (;;) {
    const outcomes = await runErasureBatch(ctx, {
      owner: options.owner,
      limit: options.batchSize,
      leaseMs: options.leaseMs,
      ...(options.onOutcome ? { onOutcome: options.onOutcome } : {}),
    });
    all.push(...outcomes);
    if (outcomes.length === 0) return all;
  }
}

async function eraseClaimed(
  ctx: AppContext,
  erasure: Erasure,
  owner: string,
): Promise<ErasureOutcome> {
  try {
    return await eraseDue(ctx, erasure, owner, 'due');
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'OFFBOARD_ERR_INTERNAL';
    const message = (error as Error).message;
    const now = ctx.clock.now();
    await ctx.repos.erasures.fail(
      erasure.accountId,
      owner,
      `${code}: ${message}`,
      new Date(now.getTime() + RETRY_MS),
      now,
    );
    ctx.onError?.(error, `erasure of ${erasure.accountId}`);
    return { accountId: erasure.accountId, result: 'failed', code, message };
  }
}

/**
 * The one erase path. `due`: erases the classes whose period has ended, unless a hold
 * stands. `replay`: repeats an erasure the journal records (a restored backup), for the
 * classes it lists: the period and the holds were checked when it first ran.
 */
async function eraseDue(
  ctx: AppContext,
  erasure: Erasure,
  owner: string,
  mode: 'due' | { replay: RecordClass[] },
): Promise<ErasureOutcome> {
  const config = settings(ctx);
  const now = ctx.clock.now();
  const { accountId } = erasure;
  const retention = config.retention(erasure.jurisdiction);
  if (!retention)
    throw raise('OFFBOARD_ERR_RETENTION_UNCONFIGURED', {
      accountId,
      jurisdiction: erasure.jurisdiction,
    });
  const classes =
    mode === 'due'
      ? dueClasses(retention, erasure.closedAt, erasure.erasedClasses, now)
      : mode.replay.filter((c) => !erasure.erasedClasses.includes(c));
  if (classes.length === 0) {
    const dueAt = nextRetentionEnd(retention, erasure.closedAt, erasure.erasedClasses);
    await ctx.repos.erasures.save(
      { ...erasure, state: dueAt ? 'scheduled' : 'erased', dueAt, heldSince: null },
      owner,
      now,
    );
    return { accountId, result: 'not_due', dueAt };
  }
  if (mode === 'due') {
    const facts = await ctx.platform.facts(accountId);
    const holds = facts?.holds ?? [];
    if (holds.length > 0) {
      // Every active hold suspends erasure: a legal or regulator hold by law, and a
      // compliance or fraud hold because its investigation needs the records.
      await ctx.unitOfWork.run(async (repos) => {
        const held = {
          ...erasure,
          state: 'held' as const,
          heldSince: erasure.heldSince ?? now,
          dueAt: new Date(now.getTime() + HOLD_RECHECK_MS),
        };
        if (!(await repos.erasures.save(held, owner, now))) throw lostLease(accountId);
        if (erasure.state !== 'held')
          await record(repos, {
            actor: WORKER,
            action: 'erasure.held',
            accountId,
            data: { holds: holds.map((h) => h.kind) },
            now,
          });
      });
      return { accountId, result: 'held', holds: holds.map((h) => h.kind) };
    }
  }
  // The platform's side first, under a key of the account and the classes: a repeat
  // after a crash gets the first answer.
  const platformClasses = classes.filter((c) => c !== 'communications');
  const answer: PlatformErasure =
    platformClasses.length > 0
      ? await ctx.platform.erase(
          accountId,
          platformClasses,
          `erasure:${accountId}:${platformClasses.join('+')}`,
        )
      : { erased: [], retained: [] };
  // Statement exports hold the history and the holder's name: they go with either class.
  // Before the transaction, so a crash repeats it (removing a removed folder is nothing).
  if (classes.includes('identity') || classes.includes('transactions'))
    await config.removeExports(accountId);
  const signer = await config.signer();
  const erasedClasses = [...erasure.erasedClasses, ...classes];
  const nextDue = nextRetentionEnd(retention, erasure.closedAt, erasedClasses);
  const body = certificateBody({
    erasure,
    classes,
    erasedClasses,
    retention,
    answer,
    now,
    policyVersion: config.policyVersion,
    keyId: signer.keyId,
  });
  const certificate: ErasureCertificate = {
    ...body,
    signature: signer.sign(canonicalJson(body)),
  };
  await ctx.unitOfWork.run(async (repos) => {
    const next: Erasure = {
      ...erasure,
      state: nextDue ? 'scheduled' : 'erased',
      dueAt: nextDue,
      erasedClasses,
      heldSince: null,
      lastError: null,
    };
    if (!(await repos.erasures.save(next, owner, now))) throw lostLease(accountId);
    // Everything offboard sealed for the account is communications (its notices, its
    // support tickets): the key goes with that class, and every copy of them with it,
    // backups included. Then the rows: the tickets and their messages, the mailbox, the
    // free-text reasons.
    if (classes.includes('communications')) {
      await repos.personalData.shred(accountId);
      await repos.tickets.eraseAccount(accountId);
    }
    await repos.erasures.eraseOwnRecords(accountId, classes);
    await repos.erasures.addCertificate({
      id: certificate.certificateId,
      accountId,
      issuedAt: now,
      document: JSON.stringify(certificate),
    });
    await repos.erasures.journal(accountId, now, classes);
    await record(repos, {
      actor: WORKER,
      action: 'erasure.erase',
      accountId,
      data: {
        classes,
        certificateId: certificate.certificateId,
        policyVersion: config.policyVersion,
        replay: mode !== 'due',
      },
      event: 'account.erased',
      now,
    });
  });
  return { accountId, result: 'erased', classes, certificateId: certificate.certificateId };
}

function lostLease(accountId: string): Error {
  return new Error(`the erasure of ${accountId} was claimed by another worker`);
}

function certificateBody(input: {
  erasure: Erasure;
  classes: RecordClass[];
  erasedClasses: RecordClass[];
  retention: RetentionPeriods;
  answer: PlatformErasure;
  now: Date;
  policyVersion: string;
  keyId: string;
}): CertificateBody {
  const { erasure, retention } = input;
  const ends = retentionEnds(retention, erasure.closedAt);
  const id = createHash('sha256')
    .update(`${erasure.accountId}\n${input.classes.join(',')}\n${input.now.getTime()}`)
    .digest('hex')
    .slice(0, 24);
  return {
    type: 'offboard.erasure-certificate',
    version: 1,
    certificateId: `ec_${id}`,
    accountId: erasure.accountId,
    jurisdiction: erasure.jurisdiction,
    closedAt: erasure.closedAt.toISOString(),
    erasedAt: input.now.toISOString(),
    erased: input.classes.map((c) => ({
      class: c,
      retentionEndedAt: ends.get(c as never)?.toISOString() ?? null,
    })),
    kept: REGULATED_CLASSES.filter((c) => !input.erasedClasses.includes(c)).map((c) => ({
      class: c,
      until: ends.get(c)!.toISOString(),
    })),
    policy: { version: input.policyVersion, legalBasis: retention.legalBasis },
    method: [
      ...(input.classes.includes('communications')
        ? [
            'the account’s data key was destroyed (crypto-shredding): every copy of its sealed notices and support tickets is unreadable, backups included',
            'the account’s support tickets were deleted, with every message of them (the holder’s, agents’ replies and internal notes)',
          ]
        : []),
      'offboard’s own records of the classes were deleted or emptied, statement exports it kept included',
      'the platform was asked to erase its side; its answer is recorded below',
    ],
    platform: input.answer,
    retained: [
      {
        what: 'the audit log entries of the account',
        why: 'they hold account ids, actions and instants, no personal data, and prove what was done',
      },
      {
        what: 'this certificate and the erasure journal',
        why: 'proof of the erasure, without personal data',
      },
    ],
    suspendedByHold: erasure.heldSince
      ? { from: erasure.heldSince.toISOString(), to: input.now.toISOString() }
      : null,
    keyId: input.keyId,
  };
}

/** Copies new journal entries to the journal file (append, fsync), then marks them copied. */
export async function copyJournal(ctx: AppContext): Promise<number> {
  const file = ctx.erasure?.journalFile ?? null;
  if (!file) return 0;
  let copied = 0;
  for (;;) {
    const entries = await ctx.repos.erasures.uncopiedJournal(500);
    if (entries.length === 0) return copied;
    const lines = entries
      .map((e) =>
        JSON.stringify({
          accountId: e.accountId,
          erasedAt: e.erasedAt.toISOString(),
          classes: e.classes,
        }),
      )
      .join('\n');
    // A crash between the append and the mark copies the entries again: the replay is
    // idempotent, so a repeated line costs nothing.
    const fd = openSync(file, 'a', 0o600);
    try {
      appendFileSync(fd, `${lines}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    await ctx.repos.erasures.markCopied(entries.map((e) => e.seq));
    copied += entries.length;
  }
}

/** One line of the journal file. */
export interface JournalLine {
  accountId: string;
  erasedAt: string;
  classes: RecordClass[];
}

/**
 * The restore step: erases again every account the journal file lists, for the classes
 * it lists, so a backup older than an erasure does not bring the person back. Entries
 * already erased in this database are skipped.
 */
export async function replayJournal(
  ctx: AppContext,
  lines: readonly JournalLine[],
  options: { owner: string; leaseMs: number; onOutcome?: (outcome: ErasureOutcome) => void },
): Promise<ErasureOutcome[]> {
  const outcomes: ErasureOutcome[] = [];
  for (const line of lines) {
    const now = ctx.clock.now();
    let erasure = await ctx.repos.erasures.get(line.accountId);
    if (!erasure) {
      // The backup predates the closure: the job is made from the platform's facts.
      const jurisdiction = await ctx.platform.jurisdiction(line.accountId);
      if (jurisdiction === null) continue; // the platform no longer knows the account
      await ctx.unitOfWork.run((repos) =>
        repos.erasures.schedule({
          accountId: line.accountId,
          jurisdiction,
          closedAt: new Date(line.erasedAt),
          dueAt: null,
          erasedClasses: [],
          now,
        }),
      );
      erasure = await ctx.repos.erasures.get(line.accountId);
    }
    if (!erasure || line.classes.every((c) => erasure.erasedClasses.includes(c))) continue;
    const claimed = await ctx.repos.erasures.claim(line.accountId, {
      now,
      owner: options.owner,
      until: new Date(now.getTime() + options.leaseMs),
    });
    if (!claimed) continue;
    // A backup older than the closure also brought back what closure erased.
    const classes =
      claimed.erasedClasses.length === 0
        ? [...new Set([...ERASED_AT_CLOSURE, ...line.classes])]
        : line.classes;
    const outcome = await eraseDue(ctx, claimed, options.owner, { replay: classes });
    options.onOutcome?.(outcome);
    outcomes.push(outcome);
  }
  if (outcomes.some((o) => o.result === 'erased')) await ctx.repos.erasures.compact();
  await copyJournal(ctx);
  return outcomes;
}

/** Erasures due at `now` (not yet erased), soonest first. */
export function dueErasures(ctx: AppContext, options: { limit: number }): Promise<Erasure[]> {
  return ctx.repos.erasures.listDue({ now: ctx.clock.now(), limit: options.limit });
}

/** Counts by state, for `offboard erasure status` without an account. */
export function erasureCounts(ctx: AppContext) {
  return ctx.repos.erasures.counts(ctx.clock.now());
}

/** One account's erasure: the job, when each class ends, its certificates. */
export async function erasureStatus(
  ctx: AppContext,
  accountId: string,
): Promise<{
  erasure: Erasure;
  retentionEnds: Record<string, string> | null;
  certificates: StoredCertificate[];
}> {
  const erasure = await ctx.repos.erasures.get(accountId);
  if (!erasure) throw raise('OFFBOARD_ERR_NOT_FOUND', { record: 'erasure', id: accountId });
  const retention = ctx.erasure?.retention(erasure.jurisdiction) ?? null;
  return {
    erasure,
    retentionEnds: retention
      ? Object.fromEntries(
          [...retentionEnds(retention, erasure.closedAt)].map(([c, d]) => [c, d.toISOString()]),
        )
      : null,
    certificates: await ctx.repos.erasures.certificates(accountId),
  };
}

/** A stored certificate by id. */
export async function erasureCertificate(
  ctx: AppContext,
  certificateId: string,
): Promise<StoredCertificate> {
  const found = await ctx.repos.erasures.certificate(certificateId);
  if (!found) throw raise('OFFBOARD_ERR_NOT_FOUND', { record: 'certificate', id: certificateId });
  return found;
}

/** A lifted hold wakes its account's suspended erasure at once. */
export async function wakeHeldErasure(repos: Repositories, accountId: string, now: Date) {
  const erasure = await repos.erasures.get(accountId);
  if (erasure?.state !== 'held') return;
  await repos.erasures.wake(accountId, now);
}
