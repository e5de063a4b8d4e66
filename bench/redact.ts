import { readFileSync } from 'node:fs';
import { redact, scanMessage } from '../src/adapters/redaction/scanner.js';
import type { CorpusEntry } from '../test/fixtures/redaction/generate.js';
import { flag, line, percentile, round } from './util.js';

/*
 * Redact: messages/s through the scanner (the async one every message goes through, with
 * secretlint, and the sync one without it) against the floor: one plain regex pass over the
 * same labelled corpus that replaces digit runs, long hex, PEM lines, word runs and
 * "password:" values, with no checksum, no wordlist and no rule set. Then the scanner's p99
 * latency per message (aim: under 5 ms).
 */
const NAIVE = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /(?:0x)?[0-9a-fA-F]{64}/g,
  /\d(?:[ -]?\d){12,18}/g,
  /(?:[a-z]+\s+){11,23}[a-z]+/g,
  /(?:password|密码)\s*(?:is|:|：|是)\s*\S+/gi,
  /\b(?:ghp_|npm_|xoxb-)[\w-]+/g,
];

function naive(text: string): string {
  let out = text;
  for (const pattern of NAIVE) out = out.replace(pattern, '[redacted]');
  return out;
}

export async function run(args: string[]): Promise<void> {
  const rounds = flag(args, 'rounds', 20);
  const corpus = readFileSync(
    new URL('../test/fixtures/redaction/corpus.jsonl', import.meta.url),
    'utf8',
  )
    .trim()
    .split('\n')
    .map((text) => JSON.parse(text) as CorpusEntry);
  const messages = corpus.length * rounds;
  line('corpus', `${corpus.length} messages × ${rounds} rounds`);

  // Warm up every path once, so the first measured round pays no compilation.
  for (const entry of corpus) {
    naive(entry.text);
    redact(entry.text, { issuedCodes: entry.issuedCodes ?? [] });
    await scanMessage(entry.text, { issuedCodes: entry.issuedCodes ?? [] });
  }

  let started = performance.now();
  for (let r = 0; r < rounds; r++) for (const entry of corpus) naive(entry.text);
  const baselineRate = messages / ((performance.now() - started) / 1000);
  line('baseline plain regex pass', `${Math.round(baselineRate)} messages/s`);

  started = performance.now();
  for (let r = 0; r < rounds; r++)
    for (const entry of corpus) redact(entry.text, { issuedCodes: entry.issuedCodes ?? [] });
  const syncRate = messages / ((performance.now() - started) / 1000);
  line('redact (sync, no API secrets)', `${Math.round(syncRate)} messages/s`);

  const latencies: number[] = [];
  started = performance.now();
  for (let r = 0; r < rounds; r++)
    for (const entry of corpus) {
      const one = performance.now();
      await scanMessage(entry.text, { issuedCodes: entry.issuedCodes ?? [] });
      latencies.push(performance.now() - one);
    }
  const scanRate = messages / ((performance.now() - started) / 1000);
  line('scanMessage (full, secretlint)', `${Math.round(scanRate)} messages/s`);
  const ratio = baselineRate / scanRate;
  line('ratio baseline/scanner', `${round(ratio, 1)} (the scanner is that many times slower)`);
  latencies.sort((a, b) => a - b);
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  line('latency per message', `p50 ${round(p50)} ms, p99 ${round(p99)} ms (aim: p99 < 5 ms)`);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'redact',
      messages,
      baselineMessagesPerSecond: Math.round(baselineRate),
      redactMessagesPerSecond: Math.round(syncRate),
      scanMessagesPerSecond: Math.round(scanRate),
      ratio: round(ratio, 2),
      p50Ms: round(p50),
      p99Ms: round(p99),
    })}\n`,
  );
}
