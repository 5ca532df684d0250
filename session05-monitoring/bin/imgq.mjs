#!/usr/bin/env node
// `imgq`, the course's command line (the newest session's): `imgq --help`. Plain Node starts it:
// tsx, a runtime dependency, compiles the TypeScript sources as they load (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/imgq.ts');
await main();
