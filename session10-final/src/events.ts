/**
 * The event hub behind `GET /v1/events`: one poller per API process reads the queue's counts,
 * the workers and the jobs still in flight, and hands each change to every SSE subscriber as a
 * message (`queue`, `worker`, `job`, `scaler`). Built on the 10.3 pieces.
 */
import type { QueueCounts, QueueInspector, WorkerInfo } from '@workbook/session05';
import type { JobStore } from './jobs.ts';
import type { ApiPieces } from './pieces.ts';
import type { SseMessage } from './sse.ts';

/** What the dashboard shows of an autoscaler (session 08's LocalAutoscaler) when one runs. */
export interface ScalerView {
  desired: number;
  replicas: Array<{ name: string; state: string; pid?: number }>;
  lastDecision?: string;
}

/** Options of {@link EventHub}. */
export interface EventHubOptions {
  inspector: QueueInspector;
  jobs: JobStore;
  pieces: Pick<ApiPieces, 'queueEvent' | 'workerEvents'>;
  /** How often to look. @default 500 */
  intervalMs?: number;
  /** The autoscaler's view, when one runs. */
  scaler?: () => ScalerView | null;
  /** Told about a failed poll (Redis away). */
  onError?: (error: unknown) => void;
}

type Listener = (message: SseMessage & { id: number }) => void;

/** Polls and fans out. `start()` once; subscribers come and go. */
export class EventHub {
  readonly #options: EventHubOptions;
  readonly #listeners = new Set<Listener>();
  #timer: NodeJS.Timeout | null = null;
  #seq = 0;
  #counts: QueueCounts | null = null;
  #workers: WorkerInfo[] = [];
  #jobStates = new Map<string, string>();
  #scaler = '';
  #polling = false;

  constructor(options: EventHubOptions) {
    this.#options = options;
  }

  /** The last counts seen (for a subscriber's first message). */
  get counts(): QueueCounts | null {
    return this.#counts;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.poll(), this.#options.intervalMs ?? 500);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#listeners.clear();
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get subscribers(): number {
    return this.#listeners.size;
  }

  #emit(message: SseMessage): void {
    const numbered = { ...message, id: ++this.#seq };
    for (const listener of this.#listeners) listener(numbered);
  }

  /** One look at the queue, the workers and the jobs in flight (the timer calls it). */
  async poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    const { inspector, jobs, pieces } = this.#options;
    try {
      const counts = await inspector.counts();
      const queue = pieces.queueEvent(this.#counts, counts);
      this.#counts = counts;
      if (queue) this.#emit(queue);
      const workers = await inspector.workers();
      for (const message of pieces.workerEvents(this.#workers, workers)) this.#emit(message);
      this.#workers = workers;
      const ids = await jobs.active();
      const settled: string[] = [];
      for (const id of ids) {
        const view = await jobs.view(inspector, id);
        const state = view?.state ?? 'expired';
        if (this.#jobStates.get(id) !== state) {
          this.#jobStates.set(id, state);
          if (view) this.#emit({ event: 'job', data: view });
        }
        if (state === 'completed' || state === 'dead' || state === 'expired') {
          settled.push(id);
          this.#jobStates.delete(id);
        }
      }
      await jobs.settle(settled);
      const scaler = this.#options.scaler?.() ?? null;
      const text = JSON.stringify(scaler);
      if (scaler && text !== this.#scaler) this.#emit({ event: 'scaler', data: scaler });
      this.#scaler = text;
    } catch (error) {
      this.#options.onError?.(error);
    } finally {
      this.#polling = false;
    }
  }
}
