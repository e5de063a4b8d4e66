import { describe, expect, it } from 'vitest';
import { DEFAULT_SUPPORT } from './policy.js';
import {
  dueSignals,
  nextSlaWake,
  openTicket,
  readSla,
  redactionWarning,
  transition,
} from './tickets.js';
import type { Ticket, TicketEvent } from './tickets.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = new Date('2026-01-05T08:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function fresh(): Ticket {
  return openTicket({
    id: 'tkt_1',
    accountId: 'acct-1',
    subject: 'help',
    category: 'dispute',
    priority: 'normal',
    blockerCode: 'open_dispute',
    now: T0,
  });
}

function apply(ticket: Ticket, event: TicketEvent, when: Date): Ticket {
  const result = transition(ticket, event, when, DEFAULT_SUPPORT);
  if (!result.ok) throw new Error(result.message);
  return result.ticket;
}

describe('ticket transitions', () => {
  it('waits for the holder after an agent reply, and opens again when the holder answers', () => {
    const replied = apply(fresh(), { type: 'agent_reply' }, at(HOUR));
    expect(replied).toMatchObject({ state: 'pending_holder', firstRespondedAt: at(HOUR) });
    const answered = apply(replied, { type: 'holder_reply' }, at(3 * HOUR));
    expect(answered).toMatchObject({ state: 'open', pausedMs: 2 * HOUR, pausedSince: null });
    expect(answered.version).toBe(3);
  });

  it('reopens a resolved ticket within the window, refuses after it, and refuses a closed one', () => {
    const resolved = apply(fresh(), { type: 'resolve' }, at(HOUR));
    const reopened = transition(resolved, { type: 'holder_reply' }, at(2 * DAY), DEFAULT_SUPPORT);
    expect(reopened).toMatchObject({ ok: true, reopened: true, ticket: { state: 'open' } });
    const late = transition(resolved, { type: 'holder_reply' }, at(8 * DAY), DEFAULT_SUPPORT);
    expect(late).toMatchObject({ ok: false, code: 'ticket_closed' });
    const closed = apply(resolved, { type: 'close' }, at(8 * DAY));
    expect(transition(closed, { type: 'note' }, at(9 * DAY), DEFAULT_SUPPORT)).toMatchObject({
      ok: false,
      code: 'ticket_closed',
    });
    expect(transition(fresh(), { type: 'close' }, T0, DEFAULT_SUPPORT)).toMatchObject({
      ok: false,
      code: 'not_resolved',
    });
  });

  it('moves new to open on assignment, and a note moves nothing', () => {
    const assigned = apply(fresh(), { type: 'assign', agentId: 'agent-ada' }, at(1));
    expect(assigned).toMatchObject({ state: 'open', assignee: 'agent-ada' });
    expect(apply(assigned, { type: 'note' }, at(2)).state).toBe('open');
  });
});

describe('the SLA clock', () => {
  it('warns 4 hours before the first response target and breaches at it', () => {
    const t = fresh();
    expect(readSla(t, DEFAULT_SUPPORT, at(19 * HOUR)).firstResponse.status).toBe('ok');
    expect(readSla(t, DEFAULT_SUPPORT, at(20 * HOUR)).firstResponse.status).toBe('warning');
    expect(dueSignals(t, DEFAULT_SUPPORT, at(20 * HOUR))).toEqual(['first_response:warning']);
    expect(dueSignals(t, DEFAULT_SUPPORT, at(24 * HOUR))).toEqual([
      'first_response:warning',
      'first_response:breached',
    ]);
    expect(nextSlaWake(t, DEFAULT_SUPPORT, T0)).toBe(at(20 * HOUR).getTime());
    const sent = { ...t, slaSignals: dueSignals(t, DEFAULT_SUPPORT, at(24 * HOUR)) };
    expect(dueSignals(sent, DEFAULT_SUPPORT, at(25 * HOUR))).toEqual([]);
    expect(nextSlaWake(sent, DEFAULT_SUPPORT, at(25 * HOUR))).toBe(
      at(5 * DAY - 4 * HOUR).getTime(),
    );
  });

  it('stands still while the ticket waits for the holder', () => {
    const waiting = apply(fresh(), { type: 'agent_reply' }, at(HOUR));
    expect(readSla(waiting, DEFAULT_SUPPORT, at(10 * DAY)).resolution.status).toBe('paused');
    expect(nextSlaWake(waiting, DEFAULT_SUPPORT, at(10 * DAY))).toBeNull();
    expect(dueSignals(waiting, DEFAULT_SUPPORT, at(10 * DAY))).toEqual([]);
    const back = apply(waiting, { type: 'holder_reply' }, at(3 * DAY + HOUR));
    // Three days waited: the five-day resolution target falls on day eight.
    expect(readSla(back, DEFAULT_SUPPORT, at(3 * DAY + HOUR)).resolution.dueAt).toEqual(
      at(8 * DAY),
    );
    expect(readSla(back, DEFAULT_SUPPORT, at(3 * DAY + HOUR)).firstResponse.status).toBe('met');
  });
});

describe('the redaction warning', () => {
  it('names the kinds, never a secret, and is null when nothing was redacted', () => {
    expect(redactionWarning([])).toBeNull();
    expect(redactionWarning(['seed_phrase', 'password', 'seed_phrase'])).toMatch(
      /^We removed a seed phrase and a password from your message/,
    );
  });
});
