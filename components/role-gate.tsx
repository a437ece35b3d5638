'use client';

import type { ReactNode } from 'react';
import { useMe, type Role } from '@/lib/client/me';

/**
 * Renders its children only for users whose role includes `role` (e.g. purge buttons for
 * admins). Convenience only: the server refuses the action anyway.
 */
export function RoleGate({ role, children, fallback = null }: { role: Role; children: ReactNode; fallback?: ReactNode }) {
  const { can, isPending } = useMe();
  if (isPending) return null;
  return <>{can(role) ? children : fallback}</>;
}
