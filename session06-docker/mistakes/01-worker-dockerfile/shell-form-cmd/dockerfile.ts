import { fileURLToPath } from 'node:url';

/**
 * Where your Dockerfile is: the checks build the image from the repository root with it
 * (`docker build -f <this file> .`). Write the Dockerfile, not this file.
 */
export const DOCKERFILE = fileURLToPath(new URL('./Dockerfile', import.meta.url));
