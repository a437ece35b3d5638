/**
 * A Python-style repr of JSON values, for Celery's `argsrepr` / `kwargsrepr` headers, which
 * Flower and Celery's own logs display. Display only: nothing parses it back.
 */
export function pyRepr(value: unknown, maxLength = 1024): string {
  const text = reprValue(value);
  // Celery truncates to argsrepr_maxsize (1024) the same way.
  return text.length > maxLength ? `${text.slice(0, maxLength - 3)}...` : text;
}

// Deeper values are elided rather than recursed into: the repr is for display, and a
// deeply nested argument must not overflow the stack.
const MAX_DEPTH = 100;

function reprValue(value: unknown, depth = 0): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : reprFloat(value);
  if (typeof value === 'string') return reprString(value);
  if (typeof value === 'object' && depth >= MAX_DEPTH) return '...';
  if (Array.isArray(value)) return `[${value.map((v) => reprValue(v, depth + 1)).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${reprString(k)}: ${reprValue(v, depth + 1)}`);
    return `{${entries.join(', ')}}`;
  }
  return reprString(String(value));
}

function reprFloat(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  // Python switches to exponent notation below 1e-4 and writes at least two exponent digits
  // (repr(0.00001) == '1e-05', repr(1.5e-7) == '1.5e-07'); JS only below 1e-6 and without
  // the padding. Both print the same shortest round-trip digits.
  if (Math.abs(value) < 1e-4) {
    const [mantissa, exponent = ''] = value.toExponential().split('e');
    return `${mantissa}e${exponent.slice(0, 1)}${exponent.slice(1).padStart(2, '0')}`;
  }
  return String(value);
}

// repr() escapes what str.isprintable() rejects: Unicode "Other" (C*) and "Separator" (Z*)
// characters except the ASCII space, e.g. '\x00', '\x1b', '\xa0', '\u200b', '\u2028'.
const NON_PRINTABLE = /(?! )[\p{C}\p{Z}]/gu;

// Printable ASCII without quote or backslash: repr() is the text in single quotes. The
// common case (ids, words, payload strings), spared the six escaping passes below.
const PLAIN = /^[\x20-\x26\x28-\x5b\x5d-\x7e]*$/;

function reprString(value: string): string {
  if (PLAIN.test(value)) return `'${value}'`;
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(quote === "'" ? /'/g : /"/g, `\\${quote}`)
    .replace(NON_PRINTABLE, escapeCodePoint);
  return `${quote}${escaped}${quote}`;
}

function escapeCodePoint(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const hex = code.toString(16);
  if (code < 0x100) return `\\x${hex.padStart(2, '0')}`;
  if (code < 0x10000) return `\\u${hex.padStart(4, '0')}`;
  return `\\U${hex.padStart(8, '0')}`;
}
