/**
 * Agreement of src/sessions/insight/user-agent/uap-parser.ts with uap-core's official fixtures for the
 * vendored rules, shipped in test/fixtures/uap-core (same snapshot, written by vendor-uap-core.mjs).
 *
 * Every case of test_ua.yaml, test_os.yaml and test_device.yaml must agree on every field legacy Parse()
 * returns for that section (see bench/uap-agreement.ts): user_agent family/major/minor/patch, os
 * family/major/minor/patch/patch_minor, device family/brand/model; YAML null/absent = null.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  computeAgreement,
  FIXTURE_SPECS,
  formatAgreement,
  loadFixture,
  readFixtureCases,
  readFixtureLayout,
  SHIPPED_FIXTURES_DIR,
} from '../bench/uap-agreement';
import { UAP_CORE_REGEXES } from '../src/sessions/insight/user-agent/regexes/uap-core-regexes';
import { getUapParser, UAP_CORE_VERSION, UapParser } from '../src/sessions/insight/user-agent/uap-parser';

describe('uap-core fixture agreement', () => {
  it('ships the fixtures of the vendored rules snapshot and reads every case of them', () => {
    const readme = readFileSync(join(SHIPPED_FIXTURES_DIR, 'README.md'), 'utf8');
    expect(readme.split('\n')[0]).toBe(`# uap-core fixtures ${UAP_CORE_VERSION}`);
    // the README's counts come from a full YAML parse (vendor-uap-core.mjs)
    for (const spec of FIXTURE_SPECS) {
      const counted = new RegExp(`^- \`${spec.file}\`: (\\d+) cases`, 'm').exec(readme)?.[1];
      expect([spec.file, loadFixture(spec, SHIPPED_FIXTURES_DIR).length]).toEqual([spec.file, Number(counted)]);
    }
    // the layout reader reads like the yaml library (checked on the smallest file; the bench checks all)
    const os = readFileSync(join(SHIPPED_FIXTURES_DIR, 'test_os.yaml'), 'utf8');
    expect(readFixtureLayout(os)).toEqual(readFixtureCases(os, 'yaml'));
  });

  it('agrees with every case of test_ua.yaml, test_os.yaml and test_device.yaml on every field', () => {
    const results = computeAgreement(SHIPPED_FIXTURES_DIR);
    console.log(results.flatMap(formatAgreement).join('\n'));
    for (const a of results) {
      expect([a.file, a.mismatches]).toEqual([a.file, []]);
      expect([a.file, a.agree]).toEqual([a.file, a.cases]);
      expect(a.cases).toBeGreaterThan(0);
    }
  });

  it('gives the same results with and without the literal prefilter', () => {
    const withFilter = getUapParser();
    const without = new UapParser(UAP_CORE_REGEXES, { prefilter: false });
    const uas = new Set<string>();
    for (const spec of FIXTURE_SPECS)
      for (const c of loadFixture(spec, SHIPPED_FIXTURES_DIR)) uas.add(c.user_agent_string);
    // every 3rd distinct UA keeps this to a second or two (the unfiltered parser is ~3x slower)
    const sample = [...uas].filter((_ua, i) => i % 3 === 0);
    let differ = 0;
    const examples: string[] = [];
    for (const ua of sample) {
      const a = JSON.stringify(withFilter.parse(ua));
      const b = JSON.stringify(without.parse(ua));
      if (a !== b) {
        differ++;
        if (examples.length < 5) examples.push(`${a} !== ${b}`);
      }
    }
    expect(examples).toEqual([]);
    expect(differ).toBe(0);
  });
});
