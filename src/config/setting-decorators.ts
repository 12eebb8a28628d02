import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min, ValidateBy } from 'class-validator';
import { accessSync, constants } from 'node:fs';

/**
 * The decorators AppConfig's settings are declared with: each validates a value and documents it once, for
 * `--help` and for the example in its error message.
 */

/** What `--help` and every configuration error say about a setting. */
export interface SettingDoc {
  name: string;
  description: string;
  example: string;
  /** The README's default, where the value depends on the machine the service runs on. */
  defaultText?: string;
}

export const SETTING_DOCS: SettingDoc[] = [];

/** Documents a setting once: for `--help`, and for the example in its error message. */
export function Setting(description: string, example: string, defaultText?: string): PropertyDecorator {
  return (_target, key) => {
    SETTING_DOCS.push({ name: String(key), description, example, defaultText });
  };
}

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
export const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);
/** A comma-separated setting as its trimmed, non-empty parts (a value already parsed passes through). */
export const commaList = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean)
    : value;

/** An integer setting within [min, max]; `defaultText` for a default that follows the machine. */
export function IntSetting(
  min: number,
  max: number,
  description: string,
  example: string,
  defaultText?: string,
): PropertyDecorator {
  return applyDecorators(
    Transform(toInt),
    IsInt({ message: `must be a whole number from ${min} to ${max}` }),
    Min(min, { message: `must be at least ${min}` }),
    Max(max, { message: `must be at most ${max}` }),
    Setting(description, example, defaultText),
  );
}

/** A switch: `on` or `off`. */
export function OnOffSetting(description: string, example: string): PropertyDecorator {
  return applyDecorators(IsIn(['on', 'off'], { message: 'must be on or off' }), Setting(description, example));
}

/** An optional path to a file the process must be able to read. */
export function OptionalFileSetting(description: string, example: string): PropertyDecorator {
  return applyDecorators(
    Transform(emptyToUndefined),
    IsOptional(),
    ValidateBy({
      name: 'readableFile',
      validator: {
        validate: (value: unknown) => {
          try {
            accessSync(String(value), constants.R_OK);
            return true;
          } catch {
            return false;
          }
        },
        defaultMessage: () => 'is not a readable file',
      },
    }),
    Setting(description, example),
  );
}
