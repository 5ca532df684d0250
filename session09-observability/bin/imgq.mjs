#!/usr/bin/env node
// `imgq` of session 09: session 05's commands plus `imgq trace <task-id>`. Plain Node starts it:
// tsx, a runtime dependency, compiles the TypeScript sources as they load (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/imgq.ts');
await main();
