#!/usr/bin/env node
// Refresh command for the uap-core rules (a tool, not part of the runtime, not compiled by tsc).
//
//   node src/sessions/insight/user-agent/regexes/vendor-uap-core.mjs <regexes.yaml> <version label> [options]
//
//   --source TEXT   where regexes.yaml came from, for NOTICE (default: the path given)
//   --tests DIR     folder with uap-core's test_ua.yaml, test_os.yaml, test_device.yaml
//                   (default: the `tests` folder beside regexes.yaml; the tool fails if they are missing)
//   --no-tests      leave the shipped fixtures alone (the fixture spec then fails: they name another version)
//   --license FILE  uap-core's LICENSE (default: LICENSE beside regexes.yaml, else the one already vendored)
//
// e.g. npm run uap:refresh -- ../shared/data/uap-core-69fe63b/regexes.yaml "69fe63b (2025-12-30)" \
//        --source "ua-parser/uap-core commit 69fe63b (2025-12-30)"
//
// It writes, in this repository (or under $UAP_VENDOR_ROOT, to try a refresh without touching the tree):
//   src/sessions/insight/user-agent/regexes/uap-core-regexes.ts  the rules as a TypeScript module holding
//       plain JSON, so the runtime needs no YAML parser and tsc puts the data in dist/ like any source;
//   src/sessions/insight/user-agent/regexes/LICENSE, NOTICE      Apache-2.0 text and what was taken, from where;
//   test/fixtures/uap-core/{test_ua,test_os,test_device}.yaml, LICENSE, README.md
//       the official expectations for exactly these rules, byte for byte, run by test/uap-core-fixtures.spec.ts.
// Then run `npx jest src/sessions/insight test/uap-core-fixtures.spec.ts`.
//
// Only the keys read by ua-parser's legacy user_agent_parser are kept; any other key makes the tool
// fail, so that a format change is noticed rather than silently dropped.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';

const FIXTURE_FILES = ['test_ua.yaml', 'test_os.yaml', 'test_device.yaml'];
const SECTIONS = {
  user_agent_parsers: ['regex', 'family_replacement', 'v1_replacement', 'v2_replacement'],
  os_parsers: [
    'regex',
    'os_replacement',
    'os_v1_replacement',
    'os_v2_replacement',
    'os_v3_replacement',
    'os_v4_replacement',
  ],
  device_parsers: ['regex', 'regex_flag', 'device_replacement', 'brand_replacement', 'model_replacement'],
};

const usage =
  'usage: vendor-uap-core.mjs <regexes.yaml> <version label> [--source TEXT] [--tests DIR | --no-tests] [--license FILE]';
let args;
try {
  args = parseArgs({
    allowPositionals: true,
    options: {
      source: { type: 'string' },
      tests: { type: 'string' },
      'no-tests': { type: 'boolean' },
      license: { type: 'string' },
    },
  });
} catch (e) {
  console.error(`${e.message}\n${usage}`);
  process.exit(2);
}
const [yamlPath, version] = args.positionals;
if (!yamlPath || !version || args.positionals.length > 2) {
  console.error(usage);
  process.exit(2);
}
const source = args.values.source ?? yamlPath;

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../../../..');
const outRoot = resolve(process.env.UAP_VENDOR_ROOT ?? repoRoot);
const regexesDir = join(outRoot, relative(repoRoot, here));
const fixturesDir = join(outRoot, 'test/fixtures/uap-core');
const yamlDir = dirname(resolve(yamlPath));

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

function write(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.log(`wrote ${relative(process.cwd(), path)}`);
}

function convertRules(raw) {
  const doc = parse(raw.toString('utf8'));
  for (const k of Object.keys(doc)) {
    if (!(k in SECTIONS)) throw new Error(`unexpected top-level key ${k}`);
  }
  const out = {};
  for (const [section, keys] of Object.entries(SECTIONS)) {
    const list = doc[section];
    if (!Array.isArray(list) || list.length === 0) throw new Error(`missing section ${section}`);
    out[section] = list.map((entry, i) => {
      const rule = {};
      for (const [k, v] of Object.entries(entry)) {
        if (!keys.includes(k)) throw new Error(`${section}[${i}]: unexpected key ${k}`);
        if (v === null || v === undefined) continue;
        if (typeof v !== 'string') throw new Error(`${section}[${i}].${k}: not a string: ${JSON.stringify(v)}`);
        rule[k] = v;
      }
      if (typeof rule.regex !== 'string') throw new Error(`${section}[${i}]: no regex`);
      return rule;
    });
  }
  return out;
}

async function rulesModule(rules, digest, target) {
  const header = `/*!
 * Regex data from uap-core ${version}; source: ${source};
 * regexes.yaml sha256 ${digest}.
 * Copyright 2009 Google Inc. Licensed under the Apache License, Version 2.0
 * (http://www.apache.org/licenses/LICENSE-2.0); see LICENSE and NOTICE in
 * src/sessions/insight/user-agent/regexes/. Converted from YAML to JSON by
 * vendor-uap-core.mjs; only the keys used by ua-parser's legacy parser are kept.
 */
// GENERATED FILE - do not edit by hand (see vendor-uap-core.mjs).

export interface UapUserAgentRule {
  regex: string;
  family_replacement?: string;
  v1_replacement?: string;
  v2_replacement?: string;
}

export interface UapOsRule {
  regex: string;
  os_replacement?: string;
  os_v1_replacement?: string;
  os_v2_replacement?: string;
  os_v3_replacement?: string;
  os_v4_replacement?: string;
}

export interface UapDeviceRule {
  regex: string;
  regex_flag?: string;
  device_replacement?: string;
  brand_replacement?: string;
  model_replacement?: string;
}

export interface UapRegexData {
  version: string;
  sha256: string;
  user_agent_parsers: UapUserAgentRule[];
  os_parsers: UapOsRule[];
  device_parsers: UapDeviceRule[];
}

`;
  const data = { version, sha256: digest, ...rules };
  const text = header + `export const UAP_CORE_REGEXES: UapRegexData = ${JSON.stringify(data, null, 2)};\n`;
  try {
    // the lint script runs prettier --check over src/**/*.ts
    const prettier = await import('prettier');
    // the repository's prettier settings, also when writing under $UAP_VENDOR_ROOT
    const config = (await prettier.resolveConfig(join(repoRoot, relative(outRoot, target)))) ?? {};
    return await prettier.format(text, { ...config, filepath: target });
  } catch (e) {
    console.warn(`prettier not applied: ${e.message}`);
    return text;
  }
}

function rulesNotice(digest, counts) {
  return `uap-core-regexes.ts in this directory contains the regular expressions and
replacement strings of uap-core (https://github.com/ua-parser/uap-core),
version ${version}.
Source: ${source}
regexes.yaml sha256: ${digest}
Rules: ${counts}.

Copyright 2009 Google Inc.
Licensed under the Apache License, Version 2.0; see LICENSE in this directory
(uap-core's own LICENSE file, copied unchanged).

Modifications: the YAML document was converted to JSON inside a TypeScript
module by vendor-uap-core.mjs; the data itself (rule order, regexes,
replacements, regex_flag) is unchanged. Keys not read by ua-parser's legacy
parser are not kept (the tool refuses unknown keys, so none were dropped).

The same snapshot's official fixtures are shipped, unmodified, in
test/fixtures/uap-core/ (see the README.md there).

To refresh from a newer regexes.yaml (fetched with an ordinary client), from
the repository root:
  npm run uap:refresh -- <regexes.yaml> "<version label>" --source "<where it came from>"
(= node src/sessions/insight/user-agent/regexes/vendor-uap-core.mjs ...; it
also copies the tests/ folder beside regexes.yaml and rewrites this NOTICE),
then run the uap-parser unit tests (every regex must translate and compile)
and test/uap-core-fixtures.spec.ts (100% agreement with the new fixtures).
`;
}

function fixturesReadme(fixtures) {
  const lines = fixtures.map((f) => `- \`${f.file}\`: ${f.cases} cases, sha256 ${f.digest}`).join('\n');
  return `# uap-core fixtures ${version}

uap-core's official test expectations for the rules vendored in
\`src/sessions/insight/user-agent/regexes/uap-core-regexes.ts\`, copied unmodified
from the \`tests/\` folder of uap-core (https://github.com/ua-parser/uap-core).
Source: ${source}

${lines}

Copyright 2009 Google Inc. Licensed under the Apache License, Version 2.0; see
\`LICENSE\` in this folder (uap-core's own LICENSE file).

\`test/uap-core-fixtures.spec.ts\` and \`bench/uap-agreement.ts\` read them from
here. They are replaced together with the rules by
\`src/sessions/insight/user-agent/regexes/vendor-uap-core.mjs\` (npm run uap:refresh).
`;
}

function findLicense() {
  const candidates = args.values.license
    ? [resolve(args.values.license)]
    : [join(yamlDir, 'LICENSE'), join(here, 'LICENSE')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`uap-core LICENSE not found (tried ${candidates.join(', ')}); pass --license`);
  return readFileSync(found);
}

function findTestsDir() {
  if (args.values['no-tests']) return null;
  const dir = resolve(args.values.tests ?? join(yamlDir, 'tests'));
  const missing = FIXTURE_FILES.filter((f) => !existsSync(join(dir, f)));
  if (missing.length === 0) return dir;
  // rules and fixtures move together: stale fixtures would test the new rules against old expectations
  throw new Error(`${dir} lacks ${missing.join(', ')}; pass --tests DIR (or --no-tests)`);
}

/** The fixture files with their case counts and digests; everything is read and checked before anything is written. */
function readFixtures(testsDir) {
  return FIXTURE_FILES.map((file) => {
    const buf = readFileSync(join(testsDir, file));
    // counted with a full YAML parser: the spec checks that its faster reader finds as many cases
    const cases = parse(buf.toString('utf8'))?.test_cases;
    if (!Array.isArray(cases)) throw new Error(`${file}: no test_cases list`);
    return { file, buf, cases: cases.length, digest: sha256(buf) };
  });
}

async function main() {
  const raw = readFileSync(yamlPath);
  const digest = sha256(raw);
  const rules = convertRules(raw);
  const license = findLicense();
  const testsDir = findTestsDir();
  const fixtures = testsDir === null ? null : readFixtures(testsDir);
  const counts = `${rules.user_agent_parsers.length} user agent, ${rules.os_parsers.length} os, ${rules.device_parsers.length} device`;
  const target = join(regexesDir, 'uap-core-regexes.ts');
  const module = await rulesModule(rules, digest, target);

  write(target, module);
  write(join(regexesDir, 'LICENSE'), license);
  write(join(regexesDir, 'NOTICE'), rulesNotice(digest, counts));
  if (fixtures !== null) {
    for (const f of fixtures) write(join(fixturesDir, f.file), f.buf);
    write(join(fixturesDir, 'LICENSE'), license);
    write(join(fixturesDir, 'README.md'), fixturesReadme(fixtures));
  }
  console.log(`uap-core ${version}: ${counts} rules`);
}

try {
  await main();
} catch (e) {
  console.error(`vendor-uap-core: ${e.message}`);
  process.exit(1);
}
