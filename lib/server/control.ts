import { controlContext, type ControlContext } from '@/lib/control/context';
import type { Actor } from './auth';
import { getBroker, runtime } from './runtime';

/** What a route hands a control operation: the server's brokers and state, acting as `actor`. */
export function control(actor: Actor | null, operationId?: string): ControlContext {
  return controlContext(runtime(), getBroker, actor, operationId);
}
