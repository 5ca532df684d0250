import { fileURLToPath } from 'node:url';

/** Where your compose file is: the checks run Compose with it. Edit compose.yaml, not this. */
export const COMPOSE_FILE = fileURLToPath(new URL('./compose.yaml', import.meta.url));
