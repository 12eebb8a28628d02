import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMigrations } from './data-source-options';

describe('loadMigrations', () => {
  let folder: string;
  const write = (file: string, className = 'M') =>
    writeFileSync(join(folder, file), `exports.${className} = class ${className} { async up() {} async down() {} };`);
  beforeEach(() => (folder = mkdtempSync(join(tmpdir(), 'migrations-'))));
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('should load migrations oldest first, and pass over helpers, declarations and source maps', () => {
    write('1700000000001-second.js', 'Second');
    write('1700000000000-first.js', 'First');
    write('shared-triggers.js', 'Helper');
    writeFileSync(join(folder, '1700000000000-first.js.map'), '{}');
    writeFileSync(join(folder, '1700000000000-first.d.ts'), '');
    expect(loadMigrations(folder).map((m) => m.name)).toEqual(['First', 'Second']);
  });

  it('should refuse a file meant as a migration but misnamed, rather than never run it', () => {
    write('1700000000000-first.js');
    write('1700000000001-Add_Column.js');
    write('170000000002-short-stamp.js');
    expect(() => loadMigrations(folder)).toThrow(
      'not named <13-digit timestamp>-<lower-case-name>.ts, so never run: 1700000000001-Add_Column.js, 170000000002-short-stamp.js',
    );
  });

  it('should refuse a migration file that does not export exactly one class', () => {
    writeFileSync(join(folder, '1700000000000-two.js'), 'exports.A = class A {}; exports.B = class B {};');
    expect(() => loadMigrations(folder)).toThrow('1700000000000-two.js must export exactly one migration class');
  });
});
