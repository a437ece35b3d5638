/** The session cookie's name; its own module so proxy.ts can check for it without loading Redis code. */
export const SESSION_COOKIE = 'triage_session';
/** Request header proxy.ts sets to the page's path, so the layout can send a visitor back after login. */
export const PATH_HEADER = 'x-triage-path';
