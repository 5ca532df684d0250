/**
 * First file of every pool thread (plain JavaScript, so Node runs it without a loader).
 * Threads do not inherit loader hooks registered in the main thread, so this registers tsx's
 * loader inside the thread, then imports the TypeScript entry named in workerData.
 */
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
