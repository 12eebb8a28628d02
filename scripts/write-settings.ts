/**
 * `npm run settings`: writes the README's table of every setting from the code (AppConfig's declarations), between
 * its `settings:start` and `settings:end` markers. A test fails when the README's table and the code disagree.
 */
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingsTable, withSettingsTable } from '../src/config/readme-settings';

const file = join(__dirname, '..', 'README.md');
const before = readFileSync(file, 'utf8');
const after = withSettingsTable(before, settingsTable());
if (after === before) console.log('unchanged README.md');
else {
  writeFileSync(file, after);
  console.log('wrote README.md');
}
