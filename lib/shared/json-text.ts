/**
 * JSON text of single values, byte-identical to JSON.stringify, for templates on the
 * enqueue hot path: on Node 20, JSON.stringify of a whole envelope costs about as much as
 * building the task, because it walks every member generically and scans every string
 * again (the base64 body is 1 KB that never needs escaping).
 */

// Printable ASCII without '"' or '\': its JSON text is the string in quotes.
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

export function jsonString(value: string): string {
  return PLAIN.test(value) ? `"${value}"` : JSON.stringify(value);
}

/** JSON.stringify(value) for a member value; undefined where JSON.stringify leaves the member out. */
export function jsonMember(value: unknown): string | undefined {
  if (typeof value === 'string') return jsonString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  return JSON.stringify(value);
}
