/** installGracefulShutdown with a stand-in for `process`: first signal graceful, second forced. */
import { EventEmitter } from 'node:events';
import { expect, it } from 'vitest';
import { installGracefulShutdown } from '../src/index.ts';

function signals() {
  return new EventEmitter() as EventEmitter & {
    emit(event: NodeJS.Signals, signal: NodeJS.Signals): boolean;
  };
}

it('first signal runs stop() then exits 0, and removes its listeners', async () => {
  const source = signals();
  const exits: number[] = [];
  const shutdown = installGracefulShutdown({
    stop: async () => {},
    exit: (code) => exits.push(code),
    signals: source,
  });
  expect(source.listenerCount('SIGTERM')).toBe(1);
  source.emit('SIGTERM', 'SIGTERM');
  expect(await shutdown.done).toBe(0);
  expect(exits).toEqual([0]);
  expect(source.listenerCount('SIGTERM') + source.listenerCount('SIGINT')).toBe(0);
});

it('a second signal while stopping exits at once with 128 + n', async () => {
  const source = signals();
  const exits: number[] = [];
  const phases: string[] = [];
  const shutdown = installGracefulShutdown({
    stop: () => new Promise(() => {}),
    exit: (code) => exits.push(code),
    signals: source,
    onSignal: (signal, phase) => phases.push(`${signal}:${phase}`),
  });
  source.emit('SIGINT', 'SIGINT');
  source.emit('SIGINT', 'SIGINT');
  expect(await shutdown.done).toBe(130);
  expect(exits).toEqual([130]);
  expect(phases).toEqual(['SIGINT:graceful', 'SIGINT:forced']);
});

it('a stop() that fails exits 1', async () => {
  const source = signals();
  const exits: number[] = [];
  const shutdown = installGracefulShutdown({
    stop: async () => {
      throw new Error('redis is down');
    },
    exit: (code) => exits.push(code),
    signals: source,
  });
  source.emit('SIGTERM', 'SIGTERM');
  expect(await shutdown.done).toBe(1);
  expect(exits).toEqual([1]);
});
