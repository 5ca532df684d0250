import { register } from 'node:module';

register('./switch-loader.ts', import.meta.url);
