import type { z } from 'zod';

/**
 * A zod error map that words a schema violation for the person filling in a form ("needs at
 * least 1 item") instead of zod's own ("Too small: expected array to have >=1 items"). Pass it
 * per parse (`schema.safeParse(value, { error: plainIssue })`): a message a schema sets itself
 * still wins. Codes it has no wording for fall through to zod's.
 */

const KINDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  array: 'a list [ … ]',
  tuple: 'a list [ … ]',
  set: 'a list [ … ]',
  object: 'an object { … }',
  record: 'an object { … }',
  map: 'an object { … }',
  null: 'null',
  date: 'a date',
};

/** What a JSON value is, in the same words as KINDS. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'text';
    case 'number':
      return Number.isInteger(value) ? 'a whole number' : 'a number';
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

const plural = (n: number | bigint, word: string) => `${n} ${word}${Number(n) === 1 ? '' : 's'}`;

function sizeWords(origin: string, bound: number | bigint, atLeast: boolean, inclusive: boolean): string | undefined {
  const limit = Number(bound);
  switch (origin) {
    case 'array':
    case 'set':
      // Inclusive bounds are the common case (tuples, .min, .max); exclusive ones shift by one.
      return atLeast ? `needs at least ${plural(inclusive ? limit : limit + 1, 'item')}` : `takes at most ${plural(inclusive ? limit : limit - 1, 'item')}`;
    case 'string':
      if (atLeast && limit <= 1 && inclusive) return 'must not be empty';
      return atLeast
        ? `must be at least ${plural(inclusive ? limit : limit + 1, 'character')} long`
        : `must be at most ${plural(inclusive ? limit : limit - 1, 'character')} long`;
    case 'number':
    case 'int':
    case 'bigint':
      if (atLeast) return inclusive ? `must be ${limit} or more` : `must be more than ${limit}`;
      return inclusive ? `must be ${limit} or less` : `must be less than ${limit}`;
    default:
      return undefined;
  }
}

const FORMATS: Record<string, string> = {
  email: 'an email address',
  url: 'a URL',
  uuid: 'a UUID',
  datetime: 'a date and time like 2025-01-31T12:00:00Z',
  date: 'a date like 2025-01-31',
};

export function plainIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = KINDS[issue.expected] ?? issue.expected;
      if (issue.input === undefined) return `is missing (${expected} is needed)`;
      if (issue.expected === 'int') return 'must be a whole number';
      return `must be ${expected}, not ${kindOf(issue.input)}`;
    }
    case 'too_small':
      return sizeWords(issue.origin, issue.minimum, true, issue.inclusive !== false);
    case 'too_big':
      return sizeWords(issue.origin, issue.maximum, false, issue.inclusive !== false);
    case 'invalid_format':
      return FORMATS[issue.format] ? `must be ${FORMATS[issue.format]}` : 'does not have the expected format';
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `${issue.keys.length === 1 ? 'unknown key' : 'unknown keys'} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    default:
      return undefined;
  }
}
