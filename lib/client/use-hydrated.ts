'use client';

import { useSyncExternalStore } from 'react';

const subscribe = () => () => {};

/**
 * False on the server and while React hydrates the server's HTML, true on every render after.
 * What only the browser knows (the signed-in user once fetched, stored preferences) must wait
 * for it: rendered during hydration, it no longer matches the server's HTML (React #418).
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
