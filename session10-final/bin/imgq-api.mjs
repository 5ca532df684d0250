#!/usr/bin/env node
// The deployable API: `node bin/imgq-api.mjs`, configured by environment variables only
// (REDIS_URL, QUEUE, PORT, HOST, STORAGE_DIR, API_KEYS, CORS_ORIGINS, ...; see the session
// README). Plain Node starts it: tsx, a runtime dependency, compiles the TypeScript sources as
// they load (no build step).
import { register } from 'tsx/esm/api';

register();
const { apiMain } = await import('../src/api-main.ts');
process.exitCode = await apiMain();
