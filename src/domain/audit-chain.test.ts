import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ChainVerifier,
  GENESIS_HASH,
  SYSTEM_CHAIN,
  chainEntry,
  chainOf,
  checkpointRoot,
} from './audit-chain.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const content = (action: string) => ({
  at: 1,
  actorKind: 'agent' as const,
  actorId: 'a',
  action,
  accountId: 'acc-1',
  data: '{}',
});

describe('audit chains', () => {
  it('puts an account on one chain of 1..P and entries without an account on the system chain', () => {
    const chains = new Set(Array.from({ length: 200 }, (_, i) => chainOf(`acc-${i}`, 16, sha256)));
    expect([...chains].every((c) => c >= 1 && c <= 16)).toBe(true);
    expect(chains.size).toBe(16);
    expect(chainOf('acc-7', 16, sha256)).toBe(chainOf('acc-7', 16, sha256));
    expect(chainOf(null, 16, sha256)).toBe(SYSTEM_CHAIN);
  });

  it('hashes the chain number, so an entry moved to another chain is caught', () => {
    const entry = { ...chainEntry(3, 1, GENESIS_HASH, content('x'), sha256), seq: 1 };
    expect(new ChainVerifier(sha256, 3).push(entry)).toBe(true);
    const moved = new ChainVerifier(sha256, 4);
    expect(moved.push({ ...entry, chain: 4 })).toBe(false);
    expect(moved.finish(null)).toMatchObject({
      intact: false,
      chain: 4,
      seq: 1,
      problem: 'altered',
    });
  });

  it('changes the checkpoint root when any head, position or the instant changes', () => {
    const heads = [
      { chain: 0, seq: 2, hash: 'a'.repeat(64) },
      { chain: 1, seq: 5, hash: 'b'.repeat(64) },
    ];
    const root = checkpointRoot(10, heads, sha256);
    expect(checkpointRoot(10, [...heads].reverse(), sha256)).toBe(root); // order-free
    expect(checkpointRoot(11, heads, sha256)).not.toBe(root);
    expect(checkpointRoot(10, [heads[0]!, { ...heads[1]!, seq: 4 }], sha256)).not.toBe(root);
    expect(
      checkpointRoot(10, [heads[0]!, { ...heads[1]!, hash: 'c'.repeat(64) }], sha256),
    ).not.toBe(root);
  });
});
