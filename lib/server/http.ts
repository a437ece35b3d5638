/** What route files import: the wrapper, the runtime accessors and common schemas. */
export { route, QueueParamsSchema, errorResponse } from './route';
export { allBrokers, getBroker, runtime } from './runtime';
