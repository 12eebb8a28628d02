import { AppConfig } from './app-config';
import { SETTING_DOCS } from './setting-decorators';

export const SETTINGS_START = '<!-- settings:start (npm run settings writes this table) -->';
export const SETTINGS_END = '<!-- settings:end -->';

/** The README with `table` between its settings markers. */
export function withSettingsTable(readme: string, table: string): string {
  const start = readme.indexOf(SETTINGS_START);
  const end = readme.indexOf(SETTINGS_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${SETTINGS_START} … ${SETTINGS_END} section`);
  return `${readme.slice(0, start + SETTINGS_START.length)}\n${table}\n${readme.slice(end)}`;
}

/** Every setting as a Markdown table (the README's, written by `npm run settings`): name, default, meaning. */
export function settingsTable(): string {
  const defaults = new AppConfig() as unknown as Record<string, unknown>;
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = SETTING_DOCS.map((doc) => {
    const value = defaults[doc.name];
    const shown =
      doc.defaultText ??
      (value === undefined ? 'unset' : `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``);
    return `| \`${doc.name}\` | ${cell(shown)} | ${cell(doc.description)} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
