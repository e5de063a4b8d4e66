import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scanMessage } from '../../src/adapters/redaction/scanner.js';
import type { CorpusEntry } from '../fixtures/redaction/generate.js';

// The labelled corpus (test/fixtures/redaction/corpus.jsonl, written by generate.ts beside it):
// every planted secret must be found and gone from the redacted text (100% recall), and at
// most 1% of the messages may be flagged for a kind they do not hold.
const corpus: CorpusEntry[] = readFileSync(
  new URL('../fixtures/redaction/corpus.jsonl', import.meta.url),
  'utf8',
)
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as CorpusEntry);

describe('the redaction corpus', () => {
  it('holds at least 200 messages in English and Chinese, with and without secrets', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(200);
    expect(corpus.filter((e) => e.lang === 'zh-CN').length).toBeGreaterThanOrEqual(50);
    expect(corpus.filter((e) => e.expected.length === 0).length).toBeGreaterThanOrEqual(80);
  });

  it('finds every secret and flags at most 1% of messages falsely', async () => {
    let planted = 0;
    let caught = 0;
    const missed: string[] = [];
    const falselyFlagged: string[] = [];
    for (const entry of corpus) {
      const result = await scanMessage(entry.text, { issuedCodes: entry.issuedCodes ?? [] });
      const kinds = new Set<string>(result.findings.map((f) => f.kind));
      for (const kind of entry.expected) {
        planted++;
        const gone = entry.secrets.every((secret) => !result.text.includes(secret));
        if (kinds.has(kind) && gone) caught++;
        else missed.push(`${kind}: ${entry.text}`);
      }
      if ([...kinds].some((kind) => !entry.expected.includes(kind)))
        falselyFlagged.push(`${[...kinds].join(',')}: ${entry.text} -> ${result.text}`);
    }
    const recall = caught / planted;
    const falsePositiveRate = falselyFlagged.length / corpus.length;
    console.log(
      `redaction corpus: ${corpus.length} messages, recall ${(recall * 100).toFixed(1)}% (${caught}/${planted}), false positives ${(falsePositiveRate * 100).toFixed(1)}% (${falselyFlagged.length}/${corpus.length})`,
    );
    expect(missed).toEqual([]);
    expect(falsePositiveRate, falselyFlagged.join('\n')).toBeLessThanOrEqual(0.01);
  });
});
