import type { Exchange } from './http.js';
import type { CheckResult, ConformanceReport } from './runner.js';

/*
 * A conformance report for people (one line a check, the exchange behind each failure)
 * and for CI (JUnit XML). A platform's answers are untrusted text: the CLI's output filter
 * escapes control characters, and bodies are cut to a readable length here.
 */

/** Bodies longer than this are cut in the report (the rest is counted, not shown). */
export const BODY_LIMIT = 2_000;

export function cut(text: string, limit = BODY_LIMIT): string {
  if (text.length <= limit) return text;
  const more = text.length - limit;
  return `${text.slice(0, limit)}… (${more} more character${more === 1 ? '' : 's'})`;
}

/** Newlines and other controls as escapes: a body is always one line of the report. */
const oneLine = (text: string) =>
  text.replace(/[\u0000-\u001f\u007f]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );

export function exchangeLines(exchange: Exchange, indent: string): string[] {
  const { request, response, error } = exchange;
  const lines = [`${indent}request:  ${request.method} ${request.path}`];
  for (const [name, value] of Object.entries(request.headers))
    lines.push(`${indent}          ${name}: ${oneLine(value)}`);
  if (request.body !== '') lines.push(`${indent}          ${oneLine(cut(request.body))}`);
  if (response) {
    lines.push(`${indent}response: HTTP ${response.status}`);
    if (response.body !== '') lines.push(`${indent}          ${oneLine(cut(response.body))}`);
  } else {
    lines.push(`${indent}response: none (${oneLine(error ?? 'no answer')})`);
  }
  return lines;
}

export function checkLines(result: CheckResult): string[] {
  const head = `${result.passed ? 'PASS' : 'FAIL'} ${result.level.padEnd(6)} ${result.id}  ${result.title}`;
  if (result.passed) return [head];
  if (result.got === 'not run') return [head, `       not run: ${oneLine(result.expected ?? '')}`];
  const lines = [head, `       expected: ${oneLine(result.expected ?? '')}`];
  if (result.got) lines.push(`       got:      ${oneLine(cut(result.got))}`);
  if (result.exchange) lines.push(...exchangeLines(result.exchange, '       '));
  return lines;
}

export function summaryLine(report: ConformanceReport): string {
  const { total, passed, failed, mustFailed, shouldFailed } = report.summary;
  const verdict = report.ok
    ? shouldFailed > 0
      ? 'every MUST passed'
      : 'conformant'
    : 'NOT conformant: a MUST check failed';
  return `${total} checks: ${passed} passed, ${failed} failed (${mustFailed} MUST, ${shouldFailed} SHOULD): ${verdict}`;
}

export function renderText(report: ConformanceReport): string {
  return [
    `offboard conformance: ${report.platform} (run ${report.runId})`,
    ...report.checks.flatMap(checkLines),
    summaryLine(report),
    '',
  ].join('\n');
}

/** Text safe in XML: the five entities escaped, characters XML 1.0 cannot hold dropped. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** JUnit XML: a test suite per group, a test case per check, a failure with its exchange. */
export function renderJunit(report: ConformanceReport): string {
  const groups = new Map<string, CheckResult[]>();
  for (const check of report.checks) {
    const list = groups.get(check.group) ?? [];
    list.push(check);
    groups.set(check.group, list);
  }
  const attr = (text: string | number) => `"${xmlEscape(String(text))}"`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name=${attr(`offboard conformance ${report.platform}`)} tests=${attr(report.summary.total)} failures=${attr(report.summary.failed)}>`,
  ];
  for (const [group, checks] of groups) {
    const failures = checks.filter((c) => !c.passed).length;
    lines.push(
      `  <testsuite name=${attr(group)} tests=${attr(checks.length)} failures=${attr(failures)}>`,
    );
    for (const check of checks) {
      const open = `    <testcase classname=${attr(`conformance.${group}`)} name=${attr(`${check.id} [${check.level}] ${check.title}`)}`;
      if (check.passed) {
        lines.push(`${open}/>`);
        continue;
      }
      const detail = checkLines(check).slice(1).join('\n');
      lines.push(
        `${open}>`,
        `      <failure type=${attr(check.level)} message=${attr(`expected ${check.expected ?? ''}`)}>${xmlEscape(detail)}</failure>`,
        '    </testcase>',
      );
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}
