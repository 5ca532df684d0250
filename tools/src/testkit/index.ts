/**
 * The course's shared test kit: private Redis servers, bounded polling, images and fixtures.
 * Tests import it as `@workbook/tools/testkit`.
 */
export {
  channelStats,
  compareImages,
  FIXTURES_DIR,
  fixture,
  fixturePhotos,
  type ImageDifference,
  type MakeImageOptions,
  makeImage,
  type Pixels,
  pixels,
} from './images.ts';
export {
  findRedisServer,
  freePort,
  type RedisServerHandle,
  type StartRedisOptions,
  startRedis,
  testRedis,
  uniqueName,
} from './redis.ts';
export { type WaitForOptions, waitFor } from './wait-for.ts';
