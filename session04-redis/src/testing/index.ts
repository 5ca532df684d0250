/**
 * Helpers for demos and tests of this and later sessions (`@workbook/session04/testing`):
 * not part of the student API, and not for production code (they need the course's test kit).
 */
export { type DemoRedis, demoRedis } from './demo-redis.ts';
