/**
 * Rendering: what would be sent to the API server. A folder with a kustomization is built by
 * the real `kubectl kustomize` (no cluster needed); plain YAML files are read as they are.
 * Next to the objects, the source tree is read with positions for the findings' file:line.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { K8sError, K8sErrorCodes } from './errors.ts';
import { runKubectl } from './kubectl.ts';
import {
  KUSTOMIZATION_FILES,
  kustomizationFile,
  plainFilesLayer,
  readKustomization,
} from './kustomization.ts';
import { isRecord, type ManifestObject } from './manifest.ts';
import { SourceIndex } from './source-map.ts';

/** Options of {@link renderTarget}. */
export interface RenderOptions {
  /** The kubectl executable. @default $KUBECTL or 'kubectl' */
  kubectl?: string;
  /** Relative targets are resolved from here. @default process.cwd() */
  cwd?: string;
  /** Create missing secret env files from their `.example` (see the README). @default true */
  createMissingSecrets?: boolean;
  /** Called with each secret file created. @default nothing */
  onCreated?: (file: string) => void;
  /** Kill `kubectl kustomize` after this long. @default 60_000 */
  timeoutMs?: number;
}

/** One rendered target. */
export interface RenderedTarget {
  /** The target as given. */
  target: string;
  /** Absolute folder (of the kustomization, or of the files). */
  dir: string;
  mode: 'kustomize' | 'files';
  objects: ManifestObject[];
  index: SourceIndex;
  /** Secret files created from their `.example` during this render. */
  created: string[];
  renderMs: number;
}

/**
 * Renders a kustomization folder (or a YAML file, or a folder of YAML files).
 * @throws {K8sError} `ERR_MANIFESTS_NOT_FOUND` (no such path, no YAML), `ERR_KUSTOMIZE_FAILED`
 * (kustomize refused it), `ERR_INVALID_YAML`, `ERR_KUBECTL_NOT_FOUND`.
 * @example const { objects } = await renderTarget('session07-k8s/k8s/overlays/dev');
 */
export async function renderTarget(
  target: string,
  options: RenderOptions = {},
): Promise<RenderedTarget> {
  const started = performance.now();
  const absolute = path.resolve(options.cwd ?? process.cwd(), target);
  if (!existsSync(absolute)) {
    throw new K8sError(
      K8sErrorCodes.MANIFESTS_NOT_FOUND,
      `Nothing to check at \`${target}\` (${absolute} does not exist). Give a kustomization folder (k8s/overlays/dev), a YAML file or a folder of YAML files.`,
    );
  }
  const isFile = statSync(absolute).isFile();
  const dir = isFile ? path.dirname(absolute) : absolute;
  const created: string[] = [];
  if (
    (isFile && KUSTOMIZATION_FILES.includes(path.basename(absolute))) ||
    (!isFile && kustomizationFile(dir))
  ) {
    const root = readKustomization(dir, {
      createMissingSecrets: options.createMissingSecrets ?? true,
      onCreated: (file) => {
        created.push(file);
        options.onCreated?.(file);
      },
    });
    const result = await runKubectl(['kustomize', dir], {
      kubectl: options.kubectl,
      timeoutMs: options.timeoutMs ?? 60_000,
    });
    if (result.code !== 0) {
      const reason = result.timedOut
        ? 'it did not finish in time'
        : cleanKubectlError(result.stderr);
      throw new K8sError(
        K8sErrorCodes.KUSTOMIZE_FAILED,
        `\`kubectl kustomize ${path.relative(options.cwd ?? process.cwd(), dir) || '.'}\` failed: ${reason}. ` +
          'Fix the kustomization (a path in resources/patches that does not exist, a patch whose target matches nothing, a missing generator file).',
      );
    }
    const objects = parseRendered(result.stdout, `kubectl kustomize ${dir}`);
    return {
      target,
      dir,
      mode: 'kustomize',
      objects,
      index: new SourceIndex(root),
      created,
      renderMs: performance.now() - started,
    };
  }
  const files = isFile
    ? [absolute]
    : readdirSync(dir)
        .filter((name) => /\.ya?ml$/.test(name))
        .sort()
        .map((name) => path.join(dir, name));
  if (files.length === 0) {
    throw new K8sError(
      K8sErrorCodes.MANIFESTS_NOT_FOUND,
      `No kustomization and no .yaml files in \`${target}\`: nothing to check.`,
    );
  }
  const root = plainFilesLayer(dir, files);
  const objects = root.resources
    .map((doc) => (doc.node as { toJSON(): unknown }).toJSON())
    .filter(isRecord) as ManifestObject[];
  return {
    target,
    dir,
    mode: 'files',
    objects,
    index: new SourceIndex(root),
    created,
    renderMs: performance.now() - started,
  };
}

/** The objects of a multi-document YAML stream (empty documents skipped). */
export function parseRendered(text: string, origin: string): ManifestObject[] {
  const objects: ManifestObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      throw new K8sError(
        K8sErrorCodes.INVALID_YAML,
        `The output of ${origin} is not valid YAML: ${doc.errors[0]!.message}`,
      );
    }
    const value = doc.toJSON() as unknown;
    if (isRecord(value)) objects.push(value as ManifestObject);
  }
  return objects;
}

/** kubectl's `error: ...` line without the Go noise around it. */
export function cleanKubectlError(stderr: string): string {
  const lines = stderr.trim().split('\n').filter(Boolean);
  const error =
    lines.find((l) => l.startsWith('error:')) ??
    lines.find((l) => /err=/.test(l)) ??
    lines[0] ??
    'no message';
  const quoted = /err="(.*)"$/.exec(error);
  return (
    quoted ? quoted[1]!.replace(/\\"/g, '"').replace(/\\'/g, "'") : error.replace(/^error:\s*/, '')
  ).trim();
}
