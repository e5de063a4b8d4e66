import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// The one dependency rule that matters: src/domain is pure and imports nothing outside itself
// (no node:*, no packages, no adapters). Tests beside it may use anything.
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('architecture', () => {
  const root = new URL('..', import.meta.url).pathname;
  const domain = join(root, 'src', 'domain');

  it('src/domain imports only from src/domain', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(domain)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        const specifier = match[1] ?? match[2]!;
        if (!specifier.startsWith('./')) offenders.push(`${relative(root, file)} imports ${specifier}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('finds the domain files it checks', () => {
    expect(sourceFiles(domain).length).toBeGreaterThan(0);
  });
});
