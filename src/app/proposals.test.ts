import { describe, expect, it } from 'vitest';
import type { Approval } from '../ports/approvals.js';
import { proposalHash } from './proposals.js';
import type { ProposalSubject } from './proposals.js';

const approval: Approval = {
  id: 'apr_1',
  action: 'hold.lift',
  accountId: 'acc-1',
  subject: 'hold-1',
  note: 'review closed',
  requestedBy: 'agent-bo',
  requestedAt: new Date('2026-06-01T12:00:00Z'),
  status: 'pending',
  decidedBy: null,
  decidedAt: null,
};
const hold: ProposalSubject = {
  kind: 'hold',
  holdId: 'hold-1',
  holdKind: 'compliance',
  reason: 'SAR review',
  placedAt: '2026-05-01T00:00:00.000Z',
};

describe('proposalHash', () => {
  it('is the same for the same proposal as shown', () => {
    expect(proposalHash(approval, hold)).toBe(proposalHash({ ...approval }, { ...hold }));
    expect(proposalHash(approval, hold)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when anything the approver is shown changes', () => {
    const base = proposalHash(approval, hold);
    expect(proposalHash({ ...approval, note: 'lift it' }, hold)).not.toBe(base);
    expect(proposalHash({ ...approval, requestedBy: 'agent-cy' }, hold)).not.toBe(base);
    expect(proposalHash(approval, { ...hold, reason: 'another review' })).not.toBe(base);
    expect(proposalHash(approval, null)).not.toBe(base);
  });

  it('does not change when the approval is decided: the proposal is what was asked', () => {
    expect(proposalHash({ ...approval, status: 'approved', decidedBy: 'agent-cy' }, hold)).toBe(
      proposalHash(approval, hold),
    );
  });
});
