import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from '../../src/store/sqlite/statement-cache.js';

describe('the SQLite statement cache', () => {
  const database = new Database(':memory:');

  it('compiles a statement once and hands it back for the same SQL, with the results of the current rows', () => {
    const cached = withStatementCache(database, 2);
    cached.prepare('create table t (n integer)').run([]);
    const insert = cached.prepare('insert into t values (?)');
    insert.run([1]);
    expect(cached.prepare('insert into t values (?)')).toBe(insert);
    cached.prepare('insert into t values (?)').run([2]);
    expect(cached.prepare('select n from t order by n').all([])).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('keeps at most its capacity, dropping the least recently used', () => {
    const cached = withStatementCache(database, 2);
    const one = cached.prepare('select 1');
    const two = cached.prepare('select 2');
    expect(cached.prepare('select 1')).toBe(one); // now the most recently used
    cached.prepare('select 3'); // evicts "select 2"
    expect(cached.prepare('select 1')).toBe(one);
    expect(cached.prepare('select 2')).not.toBe(two);
  });
});
