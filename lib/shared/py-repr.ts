/**
 * A Python-style repr of JSON values, for Celery's `argsrepr` / `kwargsrepr` headers, which
 * Flower and Celery's own logs display. Display only: nothing parses it back.
 */
export function pyRepr(value: unknown, maxLength = 1024): string {
  const text = reprValue(value);
  // Celery truncates to argsrepr_maxsize (1024) the same way.
  return text.length > maxLength ? `${text.slice(0, maxLength - 3)}...` : text;
}

function reprValue(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : reprFloat(value);
  if (typeof value === 'string') return reprString(value);
  if (Array.isArray(value)) return `[${value.map(reprValue).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${reprString(k)}: ${reprValue(v)}`);
    return `{${entries.join(', ')}}`;
  }
  return reprString(String(value));
}

function reprFloat(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  return String(value);
}

function reprString(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(quote === "'" ? /'/g : /"/g, `\\${quote}`);
  return `${quote}${escaped}${quote}`;
}
