export { execOrThrow } from '@/lib/redis/multi';
