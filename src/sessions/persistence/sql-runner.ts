import { createHash } from 'node:crypto';
import { Pool, PoolClient } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { Row } from './session-row.mapper';

/**
 * Runs the hot queries. On PostgreSQL it goes straight to the `pg` pool TypeORM already holds and names each
 * statement, so every pooled connection parses and plans it once and then only binds and executes (TypeORM's
 * `query` neither names statements nor skips its own query-runner bookkeeping); inside a transaction it uses the
 * connection TypeORM holds for it. On PGlite it falls back to TypeORM's plain parameterised query.
 */
export class SqlRunner {
  private readonly pool: Pool | null;

  constructor(private readonly db: DataSource) {
    const master = (db.driver as { master?: unknown }).master;
    this.pool = master instanceof Pool ? master : null;
  }

  /** Rows of `text`; `prepare` names the statement (only for texts drawn from a bounded set). */
  async rows(text: string, params: unknown[], options: { prepare?: boolean; tx?: EntityManager } = {}): Promise<Row[]> {
    if (this.pool) {
      const config = options.prepare ? { name: statementName(text), text, values: params } : { text, values: params };
      // Inside a transaction, the statement goes to the pg client TypeORM holds for it.
      const client = options.tx
        ? (options.tx.queryRunner as { databaseConnection?: PoolClient } | undefined)?.databaseConnection
        : this.pool;
      if (client) return (await client.query(config)).rows as Row[];
    }
    const result: unknown = await (options.tx ?? this.db).query(text, params);
    // TypeORM answers UPDATE and DELETE with [rows, affected]; everything else with the rows.
    if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
      return result[0] as Row[];
    }
    return result as Row[];
  }
}

const names = new Map<string, string>();

/** A stable name per statement text: the same text always maps to the same prepared statement. */
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = 'sh_' + createHash('sha1').update(text).digest('hex').slice(0, 20);
    names.set(text, name);
  }
  return name;
}
