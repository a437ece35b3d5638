import { jsonResponse, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Who is calling, and the CSRF token cookie sessions send on mutations (null for tokens). */
export const GET = route({ role: 'viewer' }, async ({ actor }) =>
  jsonResponse(
    { user: { name: actor!.name, role: actor!.role, via: actor!.via }, csrfToken: actor!.session?.csrfToken ?? null },
    { headers: { 'cache-control': 'no-store' } },
  ),
);
