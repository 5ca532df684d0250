/**
 * Reads a Kustomize tree the way `kubectl kustomize` walks it — resources, nested
 * kustomizations, generators, patches, `images:`, `replicas:`, name prefixes and namespaces —
 * keeping every YAML node with its file and line. Kustomize itself does the rendering; this
 * tree is what lets a finding on the rendered output point back at the line a person wrote.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isScalar, isSeq, type Node } from 'yaml';
import { ensureSecretFile } from './local-secrets.ts';
import { isRecord } from './manifest.ts';
import {
  mapGet,
  nodeValue,
  parseYamlSource,
  readYamlSource,
  type YamlSource,
} from './yaml-source.ts';

/** File names Kustomize accepts for a kustomization. */
export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** A Kubernetes object written in a source file. */
export interface ResourceDoc {
  source: YamlSource;
  node: Node;
  kind: string;
  name: string;
  namespace: string;
  layer: Layer;
}

/** A `configMapGenerator` / `secretGenerator` entry and where each of its keys is written. */
export interface GeneratorEntry {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  namespace: string;
  /** `create` (default), `merge` or `replace`. */
  behavior: string;
  /** The list item in the kustomization. */
  node: Node;
  source: YamlSource;
  /** Data key → where it is written (an env file line, a literal, a file entry). */
  keys: Map<string, { file: string; line: number; column: number }>;
  layer: Layer;
}

/** One JSON 6902 operation of a patch. */
export interface JsonPatchOp {
  path: string[];
  node: Node;
  value: Node | null;
}

/** A patch of a kustomization: strategic merge (a partial object) or JSON 6902 (operations). */
export interface PatchEntry {
  type: 'strategic' | 'json6902';
  source: YamlSource;
  /** The partial object (strategic merge). */
  node: Node | null;
  ops: JsonPatchOp[];
  /** What the patch applies to: `target:`, or the patch's own kind and name. */
  target: { kind?: string; name?: string; namespace?: string };
  layer: Layer;
}

/** An `images:` or `replicas:` entry. */
export interface TransformerEntry {
  values: Record<string, unknown>;
  node: Node;
  source: YamlSource;
  layer: Layer;
}

/** One kustomization (or a folder of plain YAML files) and what it declares. */
export interface Layer {
  dir: string;
  /** The kustomization file, or `null` for plain YAML files. */
  file: string | null;
  source: YamlSource | null;
  parent: Layer | null;
  namespace: { value: string; node: Node } | null;
  namePrefix: string;
  nameSuffix: string;
  resources: ResourceDoc[];
  generators: GeneratorEntry[];
  patches: PatchEntry[];
  images: TransformerEntry[];
  replicas: TransformerEntry[];
  children: Layer[];
}

/** Options of {@link readKustomization}. */
export interface ReadOptions {
  /**
   * Create a missing `secretGenerator` env file from its `<file>.example` next to it, with
   * every empty value filled with a random secret (see the README). @default true
   */
  createMissingSecrets?: boolean;
  /** Called with the path of each file created. @default nothing */
  onCreated?: (file: string) => void;
}

/** The kustomization file of `dir`, or `null`. */
export function kustomizationFile(dir: string): string | null {
  for (const name of KUSTOMIZATION_FILES) {
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
  }
  return null;
}

/**
 * Reads the kustomization in `dir` and everything it includes.
 * @throws {K8sError} `ERR_INVALID_YAML` for a file that is not YAML.
 */
export function readKustomization(
  dir: string,
  options: ReadOptions = {},
  parent: Layer | null = null,
): Layer {
  const file = kustomizationFile(dir);
  if (!file) return readPlainFolder(dir, parent);
  const source = readYamlSource(file);
  const root = source.docs[0]?.contents ?? null;
  const spec = isRecord(nodeValue(root)) ? (nodeValue(root) as Record<string, unknown>) : {};
  const layer: Layer = {
    dir,
    file,
    source,
    parent,
    namespace:
      typeof spec.namespace === 'string'
        ? { value: spec.namespace, node: mapGet(root, 'namespace')! }
        : null,
    namePrefix: typeof spec.namePrefix === 'string' ? spec.namePrefix : '',
    nameSuffix: typeof spec.nameSuffix === 'string' ? spec.nameSuffix : '',
    resources: [],
    generators: [],
    patches: [],
    images: [],
    replicas: [],
    children: [],
  };
  for (const field of ['resources', 'bases', 'components']) {
    for (const item of seqItems(mapGet(root, field))) {
      const entry = nodeValue(item);
      if (typeof entry !== 'string' || /^[a-z]+:\/\//.test(entry) || entry.startsWith('git@'))
        continue;
      const target = path.resolve(dir, entry);
      if (existsSync(target) && statSync(target).isDirectory()) {
        layer.children.push(readKustomization(target, options, layer));
      } else if (existsSync(target)) {
        layer.resources.push(...resourceDocs(readYamlSource(target), layer));
      }
    }
  }
  for (const kind of ['ConfigMap', 'Secret'] as const) {
    const field = kind === 'ConfigMap' ? 'configMapGenerator' : 'secretGenerator';
    for (const item of seqItems(mapGet(root, field))) {
      const entry = readGenerator(kind, item, source, layer, options);
      if (entry) layer.generators.push(entry);
    }
  }
  readPatches(root, source, layer);
  for (const item of seqItems(mapGet(root, 'images'))) {
    const values = nodeValue(item);
    if (isRecord(values)) layer.images.push({ values, node: item, source, layer });
  }
  for (const item of seqItems(mapGet(root, 'replicas'))) {
    const values = nodeValue(item);
    if (isRecord(values)) layer.replicas.push({ values, node: item, source, layer });
  }
  return layer;
}

function readPlainFolder(dir: string, parent: Layer | null): Layer {
  const layer: Layer = {
    dir,
    file: null,
    source: null,
    parent,
    namespace: null,
    namePrefix: '',
    nameSuffix: '',
    resources: [],
    generators: [],
    patches: [],
    images: [],
    replicas: [],
    children: [],
  };
  return layer;
}

/** A layer for plain YAML files (no kustomization): their objects, as written. */
export function plainFilesLayer(dir: string, files: readonly string[]): Layer {
  const layer = readPlainFolder(dir, null);
  for (const file of files) layer.resources.push(...resourceDocs(readYamlSource(file), layer));
  return layer;
}

function seqItems(node: Node | undefined): Node[] {
  return isSeq(node) ? (node.items as Node[]) : [];
}

function resourceDocs(source: YamlSource, layer: Layer): ResourceDoc[] {
  const docs: ResourceDoc[] = [];
  for (const doc of source.docs) {
    const value = nodeValue(doc.contents);
    if (!isRecord(value) || !doc.contents) continue;
    const metadata = isRecord(value.metadata) ? value.metadata : {};
    docs.push({
      source,
      node: doc.contents,
      kind: String(value.kind ?? ''),
      name: String(metadata.name ?? ''),
      namespace: String(metadata.namespace ?? ''),
      layer,
    });
  }
  return docs;
}

function readGenerator(
  kind: 'ConfigMap' | 'Secret',
  item: Node,
  source: YamlSource,
  layer: Layer,
  options: ReadOptions,
): GeneratorEntry | null {
  const spec = nodeValue(item);
  if (!isRecord(spec) || typeof spec.name !== 'string') return null;
  const keys: GeneratorEntry['keys'] = new Map();
  const envs = [
    ...(Array.isArray(spec.envs) ? spec.envs : []),
    ...(typeof spec.env === 'string' ? [spec.env] : []),
  ];
  for (const env of envs) {
    if (typeof env !== 'string') continue;
    const file = path.resolve(layer.dir, env);
    if (kind === 'Secret') ensureSecretFile(file, options);
    if (!existsSync(file)) continue;
    readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .forEach((line, index) => {
        const match = /^\s*([^#=\s][^=]*?)\s*=/.exec(line);
        if (match) keys.set(match[1]!, { file, line: index + 1, column: 1 });
      });
  }
  for (const field of ['literals', 'files']) {
    for (const entry of seqItems(mapGet(item, field))) {
      const text = isScalar(entry) ? String(entry.value) : '';
      const key =
        field === 'literals'
          ? text.split('=')[0]!
          : text.includes('=')
            ? text.split('=')[0]!
            : path.basename(text);
      const pos = source.lineCounter.linePos(entry.range?.[0] ?? 0);
      keys.set(key.trim(), {
        file: source.path,
        line: pos.line + source.lineOffset,
        column: pos.col,
      });
      if (field === 'files' && kind === 'Secret')
        ensureSecretFile(path.resolve(layer.dir, text.split('=').pop()!), options);
    }
  }
  return {
    kind,
    name: spec.name,
    namespace: typeof spec.namespace === 'string' ? spec.namespace : '',
    behavior: typeof spec.behavior === 'string' ? spec.behavior : 'create',
    node: item,
    source,
    keys,
    layer,
  };
}

function readPatches(root: Node | null, source: YamlSource, layer: Layer): void {
  const add = (text: YamlSource, target: PatchEntry['target'] | null) => {
    for (const doc of text.docs) {
      const value = nodeValue(doc.contents);
      if (Array.isArray(value) && isSeq(doc.contents)) {
        const ops = (doc.contents.items as Node[]).map((op) => {
          const pointer = String(nodeValue(mapGet(op, 'path')) ?? '');
          return { path: pointerSegments(pointer), node: op, value: mapGet(op, 'value') ?? null };
        });
        layer.patches.push({
          type: 'json6902',
          source: text,
          node: null,
          ops,
          target: target ?? {},
          layer,
        });
      } else if (isRecord(value)) {
        const metadata = isRecord(value.metadata) ? value.metadata : {};
        const own = { kind: String(value.kind ?? ''), name: String(metadata.name ?? '') };
        layer.patches.push({
          type: 'strategic',
          source: text,
          node: doc.contents,
          ops: [],
          target: target ?? own,
          layer,
        });
      }
    }
  };
  const inline = (node: Node | undefined): YamlSource | null => {
    if (!isScalar(node) || typeof node.value !== 'string') return null;
    const line = source.lineCounter.linePos(node.range?.[0] ?? 0).line + source.lineOffset;
    const block = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
    return parseYamlSource(node.value, source.path, block ? line : line - 1);
  };
  for (const field of ['patches', 'patchesJson6902', 'patchesStrategicMerge']) {
    for (const item of seqItems(mapGet(root, field))) {
      const spec = nodeValue(item);
      let text: YamlSource | null = null;
      let target: PatchEntry['target'] | null = null;
      if (typeof spec === 'string') {
        const file = path.resolve(layer.dir, spec);
        text = existsSync(file) ? readYamlSource(file) : inline(item);
      } else if (isRecord(spec)) {
        if (typeof spec.path === 'string') {
          const file = path.resolve(layer.dir, spec.path);
          if (existsSync(file)) text = readYamlSource(file);
        } else text = inline(mapGet(item, 'patch'));
        if (isRecord(spec.target)) {
          const t = spec.target;
          target = {
            ...(typeof t.kind === 'string' ? { kind: t.kind } : {}),
            ...(typeof t.name === 'string' ? { name: t.name } : {}),
            ...(typeof t.namespace === 'string' ? { namespace: t.namespace } : {}),
          };
        }
      }
      if (text) add(text, target);
    }
  }
}

/** `/spec/template/spec/containers/0` → `['spec', 'template', 'spec', 'containers', '0']`. */
export function pointerSegments(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Every layer of a tree, outermost first. */
export function allLayers(root: Layer): Layer[] {
  return [root, ...root.children.flatMap(allLayers)];
}
