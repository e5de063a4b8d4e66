import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

// The dependency rules (docs/architecture.md): src/domain is pure and imports nothing outside
// itself (no node:*, no packages, no adapters); src/ports imports only the domain; src/app
// reaches the world only through ports, never an adapter. Tests beside them may use anything.
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
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

  // The platform port is the only way to the platform (docs/architecture.md): only the
  // builtin ledger itself, the composition root, the sandbox commands that run the builtin
  // ledger (seed, ledger, accounts, demo), the sandbox platform server (the builtin ledger
  // served through the HTTP platform contract: src/adapters/platform-http/sandbox-*.ts) and
  // the store's schema (its table types, the migrations, the demo reset and the sandbox's
  // bulk loader) know the ledger's tables.
  const ledger = join(src, 'adapters', 'ledger');
  const store = join(src, 'adapters', 'store');
  const sandboxCommands = ['seed', 'ledger', 'accounts', 'demo'].map((name) =>
    join(src, 'adapters', 'cli', 'commands', `${name}.ts`),
  );
  const schemaFiles = (file: string) =>
    (inside(file, store) &&
      (file.endsWith('.table.ts') ||
        inside(file, join(store, 'migrations')) ||
        /[/\\](?:reset|bulk-loader|dialects[/\\]\w+-bulk)\.ts$/.test(file))) ||
    false;
  const mayKnowTheLedger = (file: string) =>
    inside(file, ledger) ||
    inside(file, join(src, 'main')) ||
    sandboxCommands.includes(file) ||
    /[/\\]platform-http[/\\]sandbox-[\w-]+\.ts$/.test(file) ||
    schemaFiles(file);
  const LEDGER_TABLES =
    'holders|accounts|assets|balances|transactions|orders|disputes|authorizations|credentials|holds|ledger_effects';

  /** Files that import the ledger module or its tables, or run SQL on a ledger table. */
  function ledgerReaders(files: readonly string[]): string[] {
    const query = new RegExp(
      `\\.(?:selectFrom|insertInto|updateTable|deleteFrom|innerJoin|leftJoin)\\(\\s*['"\`](?:${LEDGER_TABLES})\\b|\\b(?:from|join|into|update)\\s+(?:${LEDGER_TABLES})\\b`,
    );
    const found: string[] = [];
    for (const file of files) {
      if (mayKnowTheLedger(file)) continue;
      for (const specifier of specifiers(file)) {
        const target = specifier.startsWith('.') ? join(dirname(file), specifier) : specifier;
        if (
          inside(target, ledger) ||
          /(?:^|\/)ledger\/[^/]+$/.test(specifier) ||
          /(?:^|\/)ledger\.table\.js$/.test(specifier)
        )
          found.push(`${relative(root, file)} imports ${specifier}`);
      }
      // The context's builtin ledger is the sandbox's; anything else uses `app.platform`.
      if (/\bctx\.ledger\b/.test(readFileSync(file, 'utf8')))
        found.push(`${relative(root, file)} uses ctx.ledger`);
      if (query.test(readFileSync(file, 'utf8')))
        found.push(`${relative(root, file)} reads ledger tables`);
    }
    return found;
  }

  it('nothing outside src/adapters/ledger, the composition root and the sandbox reads the ledger: everything goes through the platform port', () => {
    expect(ledgerReaders(sourceFiles(src))).toEqual([]);
  });

  it('catches a ledger import and a ledger query outside the ledger', () => {
    const dir = mkdtempSync(join(tmpdir(), 'offboard-arch-'));
    try {
      const route = join(dir, 'route.ts');
      writeFileSync(
        route,
        [
          "import { BuiltinLedger } from '../adapters/ledger/ledger.js';",
          "import type { LedgerTables } from './ledger.table.js';",
          "const rows = await db.selectFrom('holds').selectAll().execute();",
          'await placeHold(ctx.app, ctx.ledger, hold);',
        ].join('\n'),
      );
      const raw = join(dir, 'raw.ts');
      writeFileSync(raw, "const sql = 'select name from holders where id = ?';\n");
      expect(
        ledgerReaders([route, raw]).map((line) => line.replace(`${relative(root, dir)}${sep}`, '')),
      ).toEqual([
        'route.ts imports ../adapters/ledger/ledger.js',
        'route.ts imports ./ledger.table.js',
        'route.ts uses ctx.ledger',
        'route.ts reads ledger tables',
        'raw.ts reads ledger tables',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds the files it checks', () => {
    for (const dir of [domain, ports, app]) expect(sourceFiles(dir).length).toBeGreaterThan(0);
  });
});
