import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

// The dependency rules (docs/architecture.md): src/domain is pure and imports nothing outside
// itself (no node:*, no packages, no adapters); src/ports imports only the domain; src/app
// reaches the world only through ports, never an adapter. Tests beside them may use anything.
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every module specifier a file imports or re-exports, static or dynamic. */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...text.matchAll(
      /(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
    ),
  ].map((match) => match[1] ?? match[2]!);
}

describe('architecture', () => {
  const root = new URL('..', import.meta.url).pathname;
  const src = join(root, 'src');
  const domain = join(src, 'domain');
  const ports = join(src, 'ports');
  const app = join(src, 'app');

  /** `file imports specifier` for every local import of files under `dir` that leaves `allowed`. */
  function offenders(
    dir: string,
    allowed: (target: string, specifier: string) => boolean,
  ): string[] {
    const found: string[] = [];
    for (const file of sourceFiles(dir)) {
      for (const specifier of specifiers(file)) {
        const target = specifier.startsWith('.') ? join(dirname(file), specifier) : specifier;
        if (!allowed(target, specifier)) found.push(`${relative(root, file)} imports ${specifier}`);
      }
    }
    return found;
  }
  const inside = (target: string, folder: string) =>
    target === folder || target.startsWith(`${folder}${sep}`);

  it('src/domain imports only from src/domain', () => {
    expect(offenders(domain, (_target, specifier) => specifier.startsWith('./'))).toEqual([]);
  });

  it('src/ports imports only from src/ports and src/domain', () => {
    expect(
      offenders(
        ports,
        (target, specifier) =>
          specifier.startsWith('.') && (inside(target, ports) || inside(target, domain)),
      ),
    ).toEqual([]);
  });

  it('src/app imports no adapter, composition root or entry point: only domain, ports, app and node:*', () => {
    const allowed = (target: string, specifier: string) =>
      specifier.startsWith('node:') ||
      (specifier.startsWith('.') && [domain, ports, app].some((folder) => inside(target, folder)));
    expect(offenders(app, allowed)).toEqual([]);
  });

  it('catches an adapter import in src/app', () => {
    const target = join(app, '../adapters/store/database.js');
    expect(inside(target, app) || inside(target, ports) || inside(target, domain)).toBe(false);
  });

  it('HTTP routes and CLI commands run no SQL: they call use cases, which reach repositories', () => {
    const interfaces = [
      join(src, 'adapters', 'http', 'routes'),
      join(src, 'adapters', 'cli', 'commands'),
    ];
    const found: string[] = [];
    for (const file of interfaces.flatMap(sourceFiles)) {
      for (const specifier of specifiers(file)) {
        if (specifier === 'kysely' || /-repository\.js$/.test(specifier))
          found.push(`${relative(root, file)} imports ${specifier}`);
      }
      if (
        /\.(?:selectFrom|insertInto|updateTable|deleteFrom)\(|\bsql`/.test(
          readFileSync(file, 'utf8'),
        )
      )
        found.push(`${relative(root, file)} runs SQL`);
    }
    expect(found).toEqual([]);
  });

  it('only src/adapters/store/dialects asks which database it is on', () => {
    const dialects = join(src, 'adapters', 'store', 'dialects');
    // Opening the connection (and resetting the demo's SQLite file) reads the parsed URL's kind.
    const urlReaders = new Set(
      ['database.ts', 'reset.ts'].map((name) => join(src, 'adapters', 'store', name)),
    );
    const found: string[] = [];
    for (const file of sourceFiles(src)) {
      if (inside(file, dialects)) continue;
      for (const [index, line] of readFileSync(file, 'utf8').split('\n').entries()) {
        const asks = /\.dialect\s*[!=]==|\bdatabase\.(?:sqlite|pool)\b|\bstore\.name\s*[!=]==/.test(
          line,
        );
        const readsUrl = urlReaders.has(file) && /\blocation\.dialect\s*[!=]==/.test(line);
        if (asks && !readsUrl) found.push(`${relative(root, file)}:${index + 1}: ${line.trim()}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('finds the files it checks', () => {
    for (const dir of [domain, ports, app]) expect(sourceFiles(dir).length).toBeGreaterThan(0);
  });
});
