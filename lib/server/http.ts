/** What route files import: the wrapper, the runtime accessors and common schemas. */
export { route, errorResponse } from './route';
export { jsonResponse } from './json-response';
export { allBrokers, getBroker, runtime } from './runtime';
export { control } from './control';
