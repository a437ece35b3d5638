import { NextResponse, type NextRequest } from 'next/server';
import { NONCE_HEADER, PATH_HEADER, stamped } from '@/lib/server/internal-headers';
import { SESSION_COOKIE } from '@/lib/server/session-cookie';

/**
 * Pages only (API routes answer 401 themselves): a per-request CSP nonce, and visitors without
 * a session cookie go to /login first. Whether the cookie is valid is checked by the root
 * layout against the session store; this is only the cheap early exit. It runs for every page
 * request, prefetches included: no request header a client can send lets a page skip it.
 * The other security headers (nosniff, frame denial, referrer policy) are in next.config.js.
 */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (pathname !== '/login' && !request.cookies.has(SESSION_COOKIE)) {
    const url = request.nextUrl.clone();
    url.pathname = '/login';
    url.search = `?next=${encodeURIComponent(pathname + search)}`;
    return NextResponse.redirect(url);
  }
  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const dev = process.env.NODE_ENV === 'development';
  // Scripts: only Next's own, carrying this response's nonce ('strict-dynamic' lets them load
  // their chunks). Styles allow inline attributes: the priority bars size themselves with
  // style={{width}}, and style attributes cannot carry a nonce. 'unsafe-eval' only in
  // development, where React uses eval for its error overlay.
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${dev ? ' ws: wss:' : ''}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  // Overwritten, never passed on: the layout and Next read these as Triage's own.
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set(NONCE_HEADER, stamped(nonce));
  requestHeaders.set('content-security-policy', csp);
  requestHeaders.set(PATH_HEADER, stamped(pathname + search));
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('content-security-policy', csp);
  return response;
}

export const config = {
  // API routes and /metrics answer 401 in their own format (scrapers and scripts send tokens,
  // never follow a redirect to a login page). Exact names only: `/metrics-x` is a page path.
  matcher: ['/((?!api/|metrics$|_next/static/|_next/image$|favicon\\.ico$|icon\\.svg$).*)'],
};
