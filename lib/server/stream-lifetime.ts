import type { AuthConfig } from '@/lib/config';
import { isTriageError } from '@/lib/shared/errors';
import { authenticate } from './auth';

/**
 * How long an event stream may stay open: until the client goes, until its token or session
 * stops being valid (checked again every `streamRecheckSec`: a revoked token or a logout must
 * not keep receiving), and at most `streamMaxSec` (the browser's EventSource reconnects and
 * authenticates afresh). A state Redis that cannot be reached does not end the stream: it
 * cannot have recorded a revocation either.
 */
export function streamLifetime(request: Request, auth: AuthConfig): AbortSignal {
  const controller = new AbortController();
  const end = () => {
    clearInterval(recheck);
    clearTimeout(cap);
    request.signal.removeEventListener('abort', end);
    controller.abort();
  };
  const recheck = setInterval(() => {
    authenticate(request, { touch: false }).catch((error: unknown) => {
      if (!(isTriageError(error) && error.code === 'UNAVAILABLE')) end();
    });
  }, auth.streamRecheckSec * 1000);
  const cap = setTimeout(end, auth.streamMaxSec * 1000);
  if (request.signal.aborted) end();
  else request.signal.addEventListener('abort', end);
  return controller.signal;
}
