/** The session cookie's name; its own module so proxy.ts can check for it without loading Redis code. */
export const SESSION_COOKIE = 'triage_session';
