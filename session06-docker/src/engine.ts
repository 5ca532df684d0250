/**
 * Connecting to the Docker engine. The engine is a server with an HTTP API on a socket
 * (`/var/run/docker.sock` on Linux); the `docker` CLI, Compose and dockerode are all clients
 * of that API. Nothing here shells out to the CLI.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import Dockerode from 'dockerode';
import { EngineUnavailableError } from './errors.ts';

/** Options of {@link connectEngine}. */
export interface ConnectOptions {
  /**
   * The engine's address: `unix:///path/docker.sock`, `tcp://host:2375`, or a socket path.
   * @default process.env.DOCKER_HOST, else /var/run/docker.sock, else Docker Desktop's
   *   ~/.docker/run/docker.sock
   */
  host?: string;
  /** Environment to read DOCKER_HOST from. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** Where the engine should be, as a `unix://` or `tcp://` address. */
export function engineEndpoint(options: ConnectOptions = {}): string {
  const host = options.host ?? (options.env ?? process.env).DOCKER_HOST;
  if (host) return host.includes('://') ? host : `unix://${host}`;
  const desktop = path.join(homedir(), '.docker', 'run', 'docker.sock');
  if (!existsSync('/var/run/docker.sock') && existsSync(desktop)) return `unix://${desktop}`;
  return 'unix:///var/run/docker.sock';
}

/**
 * A dockerode client for the engine at {@link engineEndpoint}. Does not contact the engine:
 * call {@link checkEngine} to find out whether one answers.
 *
 * @example
 * const docker = connectEngine();
 * const info = await checkEngine(docker);
 */
export function connectEngine(options: ConnectOptions = {}): Dockerode {
  const endpoint = engineEndpoint(options);
  if (endpoint.startsWith('unix://')) return new Dockerode({ socketPath: endpoint.slice(7) });
  const url = new URL(endpoint.replace(/^tcp:/, 'http:'));
  return new Dockerode({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http' });
}

/** What {@link checkEngine} learned about the engine. */
export interface EngineInfo {
  endpoint: string;
  /** Engine version, e.g. `20.10.24+dfsg1`. */
  version: string;
  /** Highest API version the engine speaks, e.g. `1.41`. */
  apiVersion: string;
  /** `linux` (Docker Desktop runs a Linux VM too). */
  os: string;
  arch: string;
}

/**
 * Asks the engine for its version, with a deadline.
 * @param timeoutMs how long to wait for an answer @default 5000
 * @throws {EngineUnavailableError} (`ERR_DOCKER_UNAVAILABLE`) with how to install or start one.
 */
export async function checkEngine(docker: Dockerode, timeoutMs = 5_000): Promise<EngineInfo> {
  const endpoint = describeEndpoint(docker);
  let timer: NodeJS.Timeout | undefined;
  try {
    const version = await Promise.race([
      docker.version(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return {
      endpoint,
      version: version.Version,
      apiVersion: version.ApiVersion,
      os: version.Os,
      arch: version.Arch,
    };
  } catch (error) {
    throw new EngineUnavailableError(endpoint, error);
  } finally {
    clearTimeout(timer);
  }
}

/** The address a dockerode client talks to, for messages. */
export function describeEndpoint(docker: Dockerode): string {
  const modem = docker.modem as { socketPath?: string; host?: string; port?: number };
  return modem.socketPath ? `unix://${modem.socketPath}` : `tcp://${modem.host}:${modem.port}`;
}
