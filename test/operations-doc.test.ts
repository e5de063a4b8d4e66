import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every OFFBOARD_* name in src that is not an error code: the environment variables it reads. */
function variablesInSource(): Set<string> {
  const names = new Set<string>();
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(
      /\bOFFBOARD_(?!ERR_)[A-Z0-9_]*[A-Z0-9]\b/g,
    ))
      names.add(match[0]);
  }
  return names;
}

/** The names in the first column of the Environment table of docs/operations.md. */
function variablesInDoc(): Set<string> {
  const doc = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
  const section = doc.split(/^## Environment$/m)[1]?.split(/^## /m)[0] ?? '';
  const names = new Set<string>();
  for (const line of section.split('\n')) {
    const cell = /^\| ([^|]+) \|/.exec(line)?.[1] ?? '';
    for (const match of cell.matchAll(/`(OFFBOARD_[A-Z0-9_]+)`/g)) names.add(match[1] as string);
  }
  return names;
}

describe('docs/operations.md lists the environment', () => {
  it('documents every OFFBOARD_* variable src reads', () => {
    const documented = variablesInDoc();
    const missing = [...variablesInSource()].filter((name) => !documented.has(name)).sort();
    expect(missing).toEqual([]);
  });

  it('documents no variable src does not read', () => {
    const read = variablesInSource();
    const stale = [...variablesInDoc()].filter((name) => !read.has(name)).sort();
    expect(stale).toEqual([]);
  });

  it('finds the variables it checks (the scan is not empty)', () => {
    expect(variablesInSource()).toContain('OFFBOARD_DATABASE_URL');
    expect(variablesInDoc()).toContain('OFFBOARD_DATABASE_URL');
  });
});
