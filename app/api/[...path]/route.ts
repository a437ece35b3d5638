import { errorResponse } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** Unknown API paths answer in the API's error shape, not with an HTML page. */
function notFound(request: Request): Response {
  return errorResponse('NOT_FOUND', `no API endpoint ${request.method} ${new URL(request.url).pathname}`);
}

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
