import { RenderedRows } from './rows-held';

describe('RenderedRows', () => {
  it('should answer a kept value only for the version it was kept with', () => {
    const rows = new RenderedRows<string>(10);
    rows.put(1, '700', 'one at 700');
    expect(rows.get(1, '700')).toBe('one at 700');
    expect(rows.get(1, '701')).toBeUndefined();
    expect(rows.get(2, '700')).toBeUndefined();
    rows.put(1, '701', 'one at 701');
    expect([rows.get(1, '700'), rows.get(1, '701')]).toEqual([undefined, 'one at 701']);
  });

  it('should miss a value kept until a time that has passed', () => {
    const rows = new RenderedRows<string>(10);
    rows.put(1, 'v', 'live until a moment ago', Date.now() - 1);
    rows.put(2, 'v', 'live for a minute', Date.now() + 60_000);
    expect([rows.get(1, 'v'), rows.get(2, 'v')]).toEqual([undefined, 'live for a minute']);
  });

  it('should keep at most its capacity, dropping the oldest first', () => {
    const rows = new RenderedRows<number>(3);
    for (let id = 1; id <= 4; id++) rows.put(id, 'v', id);
    expect([1, 2, 3, 4].map((id) => rows.get(id, 'v'))).toEqual([undefined, 2, 3, 4]);
    rows.put(2, 'w', 20);
    expect([2, 3, 4].map((id) => rows.get(id, id === 2 ? 'w' : 'v'))).toEqual([20, 3, 4]);
  });

  it('should find asking first worth it only once most recent lookups hit, and not after they stop', () => {
    const rows = new RenderedRows<string>(100);
    expect(rows.worthAskingFirst()).toBe(false);
    for (let id = 0; id < 20; id++) rows.put(id, 'v', `row ${id}`);
    let lookups = 0;
    while (!rows.worthAskingFirst()) {
      rows.get(lookups % 20, 'v');
      lookups++;
    }
    // An exponential average over about 64 lookups: from nothing to half takes 45 hits (1 - (63/64)^45 > 0.5).
    expect(lookups).toBe(45);
    let misses = 0;
    while (rows.worthAskingFirst()) {
      rows.get(misses % 20, 'stale');
      misses++;
    }
    expect(misses).toBeGreaterThan(0);
    expect(misses).toBeLessThan(64);
  });
});
