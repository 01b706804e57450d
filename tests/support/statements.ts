/**
 * Counts the statements this process sends to the database drivers (node-sqlite3 under Sequelize and the fast
 * path, mysql2 under the fast path): the figure issue 12 sets a target for. Each call is one statement; transaction
 * control (BEGIN, SAVEPOINT, RELEASE, COMMIT, ROLLBACK) is told apart.
 */
import mysql from 'mysql2';
import sqlite3 from 'sqlite3';

export interface StatementCount {
  /** Every statement, transaction control included. */
  readonly all: string[];
  /** Data statements only (no BEGIN/SAVEPOINT/RELEASE/COMMIT/ROLLBACK). */
  readonly data: string[];
  stop(): void;
}

const CONTROL = /^\s*(BEGIN|START TRANSACTION|SAVEPOINT|RELEASE|COMMIT|ROLLBACK)\b/i;

type Proto = Record<string, unknown>;

function patch(proto: Proto, names: string[], seen: (sql: string) => void, undo: (() => void)[]) {
  for (const name of names) {
    const original = proto[name] as ((...a: unknown[]) => unknown) | undefined;
    if (typeof original !== 'function') continue;
    proto[name] = function (this: { sql?: string }, ...args: unknown[]) {
      const first = args[0] as string | { sql?: string } | undefined;
      seen(
        (typeof this?.sql === 'string' ? this.sql : undefined) ??
          (typeof first === 'string' ? first : (first?.sql ?? String(first))),
      );
      return original.apply(this, args);
    };
    undo.push(() => {
      proto[name] = original;
    });
  }
}

/** Starts counting; stop() ends it. */
export function countStatements(): StatementCount {
  const all: string[] = [];
  const seen = (sql: string) => all.push(sql);
  const undo: (() => void)[] = [];
  patch(sqlite3.Database.prototype as unknown as Proto, ['all', 'run', 'get', 'exec', 'each'], seen, undo);
  // A prepared statement knows its SQL (this.sql).
  patch(sqlite3.Statement.prototype as unknown as Proto, ['run', 'all', 'get', 'each'], seen, undo);
  patch(
    (mysql as unknown as { Connection: { prototype: Proto } }).Connection.prototype,
    ['query', 'execute'],
    seen,
    undo,
  );
  return {
    all,
    get data() {
      return all.filter((s) => !CONTROL.test(s));
    },
    stop: () => {
      for (const u of undo.reverse()) u();
    },
  };
}
