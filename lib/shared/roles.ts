/** Roles, lowest first: each includes everything the one before may do. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** True when `actual` includes everything `required` may do; no role (not signed in) allows nothing. */
export function roleAllows(actual: Role | undefined, required: Role): boolean {
  return actual !== undefined && ROLES.indexOf(actual) >= ROLES.indexOf(required);
}
