import { describe, expect, it } from 'vitest';
import type { ConformanceReport } from './runner.js';
import { BODY_LIMIT, cut, renderJunit, renderText, xmlEscape } from './report.js';

// What a hostile or broken platform answers ends up in the report: it must not break the
// JUnit XML, forge lines in the text report or flood it.

const hostile = '</failure><testcase name="forged"/>&\'"\u0001\nline two';

const report: ConformanceReport = {
  platform: 'http://127.0.0.1:1',
  runId: 'conf-00000000',
  checks: [
    {
      id: 'auth.unsigned-refused',
      group: 'auth',
      level: 'MUST',
      title: 'a <title> & more',
      passed: true,
    },
    {
      id: 'freeze.deposit-returned',
      group: 'freeze',
      level: 'MUST',
      title: 'a deposit while frozen is returned',
      passed: false,
      expected: 'the deposit answered as returned: true',
      got: 'false',
      exchange: {
        request: {
          method: 'POST',
          path: '/offboard-platform/v1/test/accounts/a/deposits',
          headers: { 'idempotency-key': 'k1' },
          body: '{"asset":"USD"}',
        },
        response: { status: 200, body: hostile + 'x'.repeat(BODY_LIMIT) },
        error: null,
      },
    },
  ],
  summary: { total: 2, passed: 1, failed: 1, mustFailed: 1, shouldFailed: 0 },
  ok: false,
};

describe('the conformance report', () => {
  it('escapes JUnit XML so a platform answer cannot close or forge elements', () => {
    const xml = renderJunit(report);
    expect(xml).not.toContain('<testcase name="forged"/>');
    expect(xml).not.toContain('\u0001');
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml.match(/<\/failure>/g)).toHaveLength(1);
    expect(xml).toContain('name="auth.unsigned-refused [MUST] a &lt;title&gt; &amp; more"/>');
    expect(xml).toContain(
      '&lt;/failure&gt;&lt;testcase name=&quot;forged&quot;/&gt;&amp;&apos;&quot;',
    );
    expect(xmlEscape('a\u0000b\u0009c\ud800d')).toBe('ab\tcd');
  });

  it('keeps each body on one line and cuts long ones, counting what it left out', () => {
    const text = renderText(report);
    const line = text.split('\n').find((l) => l.includes('forged'))!;
    expect(line).toContain('\\x01\\nline two');
    expect(line.endsWith(`… (${hostile.length} more characters)`)).toBe(true);
    expect(text.split('\n').at(-2)).toBe(
      '2 checks: 1 passed, 1 failed (1 MUST, 0 SHOULD): NOT conformant: a MUST check failed',
    );
    expect(cut('abc', 3)).toBe('abc');
    expect(cut('abcd', 3)).toBe('abc… (1 more character)');
  });
});
