#!/usr/bin/env node
// Vendoring tool (NOT part of the runtime, not compiled by tsc).
//
// Converts uap-core's regexes.yaml into `uap-core-regexes.ts`, a TypeScript
// module holding the same data as plain JSON, so that the runtime needs no
// YAML parser and no data file has to be copied into dist/ (tsc compiles the
// module like any other source file).
//
// Usage (from the repository root, needs the `yaml` devDependency):
//   node src/sessions/insight/user-agent/regexes/vendor-uap-core.mjs \
//        <path/to/regexes.yaml> <uap-core version> [source description]
//
// e.g. with the npm package:  npm pack uap-core@0.18.0 && tar xzf uap-core-0.18.0.tgz
//   node src/sessions/insight/user-agent/regexes/vendor-uap-core.mjs package/regexes.yaml 0.18.0 "npm uap-core@0.18.0"
//
// Only the keys read by ua-parser's legacy user_agent_parser are kept; any
// other key makes the tool fail so that a format change is noticed.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const [, , yamlPath, version, source] = process.argv;
if (!yamlPath || !version) {
  console.error('usage: vendor-uap-core.mjs <regexes.yaml> <version> [source]');
  process.exit(2);
}

const raw = readFileSync(yamlPath);
const doc = parse(raw.toString('utf8'));

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
for (const k of Object.keys(doc)) {
  if (!(k in SECTIONS)) throw new Error(`unexpected top-level key ${k}`);
}

const sha256 = createHash('sha256').update(raw).digest('hex');
const header = `/*!
 * Regex data from uap-core ${version} (${source ?? yamlPath}),
 * regexes.yaml sha256 ${sha256}.
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
const data = { version, sha256, ...out };
const body = `export const UAP_CORE_REGEXES: UapRegexData = ${JSON.stringify(data, null, 2)};\n`;
const here = dirname(fileURLToPath(import.meta.url));
const target = process.env.UAP_VENDOR_OUT ?? join(here, 'uap-core-regexes.ts');
let text = header + body;
try {
  // keep the generated module prettier-clean (the lint script checks src/**/*.ts)
  const prettier = await import('prettier');
  const config = (await prettier.resolveConfig(target)) ?? {};
  text = await prettier.format(text, { ...config, filepath: target });
} catch (e) {
  console.warn(`prettier not applied: ${e.message}`);
}
writeFileSync(target, text);
console.log(
  `wrote ${target}: ${out.user_agent_parsers.length} ua, ${out.os_parsers.length} os, ${out.device_parsers.length} device rules`,
);
