export { EnqueueButton } from './enqueue-button';
