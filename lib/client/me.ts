'use client';

import { useQuery } from '@tanstack/react-query';
import { roleAllows, type Role } from '@/lib/shared/roles';
import { getJson, setCsrfToken } from './api';
import { queryKeys } from './query-keys';
import { useHydrated } from './use-hydrated';

export { roleAllows, type Role };

export interface Me {
  user: { name: string; role: Role; via: 'session' | 'token' };
  csrfToken: string | null;
}

/**
 * The signed-in user. `can(role)` hides what the role cannot do; the server checks again on
 * every request, so a hidden button is convenience, never the protection.
 */
export function useMe() {
  const query = useQuery({
    queryKey: queryKeys.me(),
    queryFn: async ({ signal }) => {
      const me = await getJson<Me>('/api/v1/auth/me', signal);
      setCsrfToken(me.csrfToken);
      return me;
    },
    staleTime: 60_000,
  });
  // The server renders as if the user were not known yet: so must hydration, even when another
  // part of the page already fetched the user (role-gated buttons would otherwise not match).
  const hydrated = useHydrated();
  const user = hydrated ? (query.data?.user ?? null) : null;
  return { ...query, isPending: query.isPending || !hydrated, me: user, can: (role: Role) => roleAllows(user?.role, role) };
}
