/**
 * The command line of `k8s`: commands, options, and where the manifests are. Overlay names
 * (`dev`, `prod`) are looked up in the session's `k8s/overlays/`; anything else is a path.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { K8sError, K8sErrorCodes } from '../errors.ts';

/** The session package folder (where `k8s/` lives). */
export const SESSION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The folder of the overlays. */
export const OVERLAYS_DIR = path.join(SESSION_DIR, 'k8s', 'overlays');

/** Exit code of a bad command line. */
export const EXIT_USAGE = 2;

export const USAGE = `Usage: pnpm k8s <command> [options]

Commands:
  check [path…]            render (kubectl kustomize) and validate; default: every overlay
                           in k8s/overlays/. A path is a kustomization folder, a YAML file
                           or a folder of YAML files. Exit 1 when there are errors.
  diff <from> <to>         what the second overlay changes, object by object (e.g. diff dev prod)
  tree [overlay]           the objects an overlay creates and what selects what (default: dev)
  deploy --overlay <name>  check, kubectl apply -k, wait for the rollouts, run the producer
                           Job and report the tasks done. Needs a cluster (kind, minikube, k3d).
  rules                    the course rules with their ids

Options:
  --json                   machine-readable output (check, diff, rules, deploy)
  --no-create-secrets      check: do not create a missing secret env file from its .example
  --timeout <seconds>      deploy: how long to wait for each step (default 300)
  --request-timeout <dur>  deploy: kubectl's --request-timeout for the cluster probe (default 5s)
  -h, --help               this help`;

/** A parsed command line. */
export type Command =
  | { command: 'help' }
  | { command: 'check'; targets: string[]; json: boolean; createSecrets: boolean }
  | { command: 'diff'; from: string; to: string; json: boolean }
  | { command: 'tree'; target: string }
  | { command: 'deploy'; overlay: string; json: boolean; waitMs: number; requestTimeout: string }
  | { command: 'rules'; json: boolean };

/** A bad command line: printed with the usage, exit 2. */
export function badArgument(message: string): K8sError {
  return new K8sError(K8sErrorCodes.BAD_ARGUMENT, message);
}

/**
 * Parses `argv` (without `node` and the script).
 * @throws {K8sError} `ERR_BAD_ARGUMENT` naming what is wrong.
 * @example parseCommand(['check', '--json']) // { command: 'check', targets: [], json: true, createSecrets: true }
 */
export function parseCommand(argv: readonly string[]): Command {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw badArgument((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') return { command: 'help' };
  const json = values.json ?? false;
  switch (command) {
    case 'check':
      return { command, targets: rest, json, createSecrets: !values['no-create-secrets'] };
    case 'diff':
      if (rest.length !== 2)
        throw badArgument(
          `\`k8s diff\` needs two overlays (e.g. \`k8s diff dev prod\`), got ${rest.length}.`,
        );
      return { command, from: rest[0]!, to: rest[1]!, json };
    case 'tree':
      if (rest.length > 1)
        throw badArgument(`\`k8s tree\` takes one overlay, got \`${rest.join(' ')}\`.`);
      return { command, target: rest[0] ?? 'dev' };
    case 'deploy': {
      const overlay = values.overlay ?? rest[0];
      if (!overlay)
        throw badArgument('`k8s deploy` needs `--overlay <name>` (e.g. `--overlay dev`).');
      const seconds = Number(values.timeout ?? 300);
      if (!Number.isFinite(seconds) || seconds <= 0)
        throw badArgument(
          `Expected \`--timeout\` to be a number of seconds > 0, got \`${values.timeout}\`.`,
        );
      return {
        command,
        overlay,
        json,
        waitMs: seconds * 1000,
        requestTimeout: values['request-timeout'] ?? '5s',
      };
    }
    case 'rules':
      return { command, json };
    default:
      throw badArgument(
        `Unknown command \`${command}\`; the commands are check, diff, tree, deploy, rules.`,
      );
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean' },
      'no-create-secrets': { type: 'boolean' },
      overlay: { type: 'string' },
      timeout: { type: 'string' },
      'request-timeout': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** The overlays of the session: every folder of `k8s/overlays/`. */
export function defaultTargets(): string[] {
  if (!existsSync(OVERLAYS_DIR)) return [];
  return readdirSync(OVERLAYS_DIR)
    .filter((name) => statSync(path.join(OVERLAYS_DIR, name)).isDirectory())
    .sort()
    .map((name) => path.join(OVERLAYS_DIR, name));
}

/** A target as typed: a path that exists (from `cwd`), else an overlay name (`dev`). */
export function resolveTarget(target: string, cwd: string): string {
  const direct = path.resolve(cwd, target);
  if (existsSync(direct)) return direct;
  const overlay = path.join(OVERLAYS_DIR, target);
  if (/^[\w-]+$/.test(target) && existsSync(overlay)) return overlay;
  return direct;
}

/** How a path is shown: relative to `cwd` when inside it. */
export function shown(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') ? relative : file;
}
