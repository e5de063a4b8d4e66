import { readFileSync, readdirSync } from 'node:fs';
import pg from 'pg';

/*
 * Where a run's CPU went, on Linux: the worker processes' own CPU and the CPU of the
 * PostgreSQL backends serving the run's database, read from /proc while they live (a
 * backend exits with its connection, so it is sampled every 50 ms and its last reading
 * kept; what a process spends in its last 50 ms is missed). Elsewhere the figures are
 * absent. Beside them, the server's own counters: commits in the database and WAL flushes
 * (`pg_stat_wal`, PostgreSQL 14 and later; every flush is shared by whatever commits at
 * that moment).
 */

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface CpuFigures {
  /** CPU seconds of the worker processes. */
  workers: number;
  /** CPU seconds of the PostgreSQL backends of the run's database (none on SQLite). */
  postgres: number;
}

/** Samples the CPU of the given processes and of `database`'s PostgreSQL backends. */
export class CpuSampler {
  private readonly last = new Map<string, { kind: keyof CpuFigures; ticks: number }>();
  private readonly timer: NodeJS.Timeout | null;
  private readonly pids = new Set<string>();

  constructor(private readonly database: string | null) {
    this.timer = available() ? setInterval(() => this.sample(), 50) : null;
  }

  /** Counts this process (a worker) from now on. */
  watch(pid: number | undefined): void {
    if (pid === undefined) return;
    this.pids.add(String(pid));
    this.sample();
  }

  /** Stops sampling; null where /proc cannot be read. */
  stop(): CpuFigures | null {
    if (!this.timer) return null;
    this.sample();
    clearInterval(this.timer);
    const figures: CpuFigures = { workers: 0, postgres: 0 };
    for (const { kind, ticks } of this.last.values()) figures[kind] += ticks / TICKS_PER_SECOND;
    return figures;
  }

  private sample(): void {
    if (!this.timer) return;
    for (const pid of this.pids) this.read(pid, 'workers');
    if (this.database === null) return;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid) || this.pids.has(pid)) continue;
      const command = readOr(`/proc/${pid}/cmdline`);
      // A backend names its database in its title: "postgres: user db 127.0.0.1(port) idle".
      if (command.startsWith('postgres: ') && command.split(/[\s\0]+/).includes(this.database))
        this.read(pid, 'postgres');
    }
  }

  private read(pid: string, kind: keyof CpuFigures): void {
    const stat = readOr(`/proc/${pid}/stat`);
    if (!stat) return;
    // Fields after the command name (which may hold spaces): utime and stime are 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    this.last.set(pid, { kind, ticks: Number(fields[11]) + Number(fields[12]) });
  }
}

function available(): boolean {
  return readOr('/proc/self/stat') !== '';
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export interface ServerCounters {
  commits: number;
  /** WAL flushes of the whole server; null before PostgreSQL 14. */
  walSyncs: number | null;
}

/** The server's commit count for `url`'s database and its WAL flush count. */
export async function serverCounters(url: string): Promise<ServerCounters> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Statistics are cached for the rest of a transaction; each read starts afresh.
    const commits = await client.query<{ n: string }>(
      'select xact_commit::text as n from pg_stat_database where datname = current_database()',
    );
    const wal = await client
      .query<{ n: string }>('select wal_sync::text as n from pg_stat_wal')
      .catch(() => null);
    return {
      commits: Number(commits.rows[0]?.n ?? 0),
      walSyncs: wal ? Number(wal.rows[0]?.n ?? 0) : null,
    };
  } finally {
    await client.end();
  }
}
