/**
 * From a rendered object and a field path back to the line a person wrote. Kustomize output
 * says nothing about where things came from, so the index matches each rendered object with
 * the source document or generator that created it (kind, and the name once prefixes,
 * suffixes and the content hash are taken off), then looks for the field in every place that
 * could have set it, outermost overlay first: `images:`, `replicas:`, `namespace:`, patches,
 * generators, and the original document. The place that holds the longest part of the path
 * wins, so a value changed by an overlay patch points at the patch.
 */
import { isScalar, type Node } from 'yaml';
import {
  allLayers,
  type GeneratorEntry,
  type Layer,
  type PatchEntry,
  type ResourceDoc,
} from './kustomization.ts';
import { type FieldPath, getAt, type ManifestObject, refOf } from './manifest.ts';
import {
  locationOf,
  mapGet,
  mapKey,
  nodeValue,
  type SourceLocation,
  walkPath,
  type YamlSource,
} from './yaml-source.ts';

/** Kustomize's content hash suffix on generated names: `-` and 10 characters. */
const HASH_SUFFIX = /-[a-z0-9]{10}$/;

interface Origin {
  layer: Layer;
  doc: ResourceDoc | null;
  generator: GeneratorEntry | null;
}

interface Candidate {
  depth: number;
  location: SourceLocation;
}

/** Maps rendered objects of one render back to their sources. */
export class SourceIndex {
  readonly root: Layer;
  private readonly layers: Layer[];

  constructor(root: Layer) {
    this.root = root;
    this.layers = allLayers(root);
  }

  /** Every source file the index knows (kustomizations, resources, patches). */
  files(): string[] {
    const files = new Set<string>();
    for (const layer of this.layers) {
      if (layer.file) files.add(layer.file);
      for (const doc of layer.resources) files.add(doc.source.path);
      for (const patch of layer.patches) files.add(patch.source.path);
    }
    return [...files];
  }

  /**
   * Where `path` of `object` is written, or the closest place (the nearest parent that is
   * written): a missing field points at the object or list item it should be added to.
   */
  locate(object: ManifestObject, path: FieldPath = []): SourceLocation {
    const origin = this.originOf(object);
    if (!origin) return this.fallback();
    const chain = chainOf(origin.layer);
    const rendered = refOf(object).name;
    const candidates: Candidate[] = [];
    for (const layer of chain) {
      const exact = transformerLocation(
        layer,
        object,
        path,
        nameAt(rendered, chain, layer, origin),
      );
      if (exact) return exact;
      for (const patch of layer.patches) {
        if (!patchApplies(patch, object, nameAt(rendered, chain, layer, origin))) continue;
        const found = patchCandidate(patch, object, path);
        if (found) candidates.push(found);
      }
      for (const generator of layer.generators) {
        if (generator.kind !== object.kind) continue;
        if (generator.name !== nameAt(rendered, chain, layer, origin)) continue;
        const found = generatorCandidate(generator, path);
        if (found) candidates.push(found);
      }
    }
    let best: Candidate | null = null;
    for (const candidate of candidates) if (!best || candidate.depth > best.depth) best = candidate;
    if (origin.doc) {
      const walked = walkPath(origin.doc.node, path, object);
      // A value an overlay sets points at the overlay; a missing field points at the object
      // where it is defined, even when a patch touches the same container.
      const exactInPatch = best && best.depth === path.length;
      if (!best || walked.depth > best.depth || (walked.depth === best.depth && !exactInPatch)) {
        best = { depth: walked.depth, location: locationOf(origin.doc.source, walked.node) };
      }
    }
    return best?.location ?? this.fallback();
  }

  private fallback(): SourceLocation {
    return { file: this.root.file ?? this.root.dir, line: 1, column: 1 };
  }

  private originOf(object: ManifestObject): Origin | null {
    const ref = refOf(object);
    let best: Origin | null = null;
    for (const layer of this.layers) {
      const chain = chainOf(layer);
      for (const doc of layer.resources) {
        if (doc.kind !== ref.kind || wrap(doc.name, chain) !== ref.name) continue;
        if (!best || (doc.namespace && doc.namespace === ref.namespace))
          best = { layer, doc, generator: null };
      }
      for (const generator of layer.generators) {
        if (generator.kind !== ref.kind || generator.behavior !== 'create') continue;
        const base = wrap(generator.name, chain);
        if (ref.name === base || ref.name.replace(HASH_SUFFIX, '') === base) {
          best ??= { layer, doc: null, generator };
        }
      }
    }
    return best;
  }
}

/** The layers from `layer` up to the root, outermost first. */
function chainOf(layer: Layer): Layer[] {
  const chain: Layer[] = [];
  for (let at: Layer | null = layer; at; at = at.parent) chain.unshift(at);
  return chain;
}

/** A source name as the outermost layer renders it (prefixes and suffixes of every layer). */
function wrap(name: string, chain: readonly Layer[]): string {
  let out = name;
  for (let i = chain.length - 1; i >= 0; i--)
    out = `${chain[i]!.namePrefix}${out}${chain[i]!.nameSuffix}`;
  return out;
}

/** The name an object has inside `layer` (what its patches and `replicas:` refer to). */
function nameAt(rendered: string, chain: readonly Layer[], layer: Layer, origin: Origin): string {
  let name = origin.generator ? rendered.replace(HASH_SUFFIX, '') : rendered;
  for (const at of chain) {
    if (at.namePrefix && name.startsWith(at.namePrefix)) name = name.slice(at.namePrefix.length);
    if (at.nameSuffix && name.endsWith(at.nameSuffix)) name = name.slice(0, -at.nameSuffix.length);
    if (at === layer) break;
  }
  return name;
}

function patchApplies(patch: PatchEntry, object: ManifestObject, name: string): boolean {
  const { kind, name: wanted } = patch.target;
  if (kind && kind !== object.kind) return false;
  if (!wanted) return Boolean(kind);
  if (wanted === name) return true;
  try {
    return new RegExp(`^(?:${wanted})$`).test(name);
  } catch {
    return false;
  }
}

function patchCandidate(
  patch: PatchEntry,
  object: ManifestObject,
  path: FieldPath,
): Candidate | null {
  if (patch.type === 'strategic') {
    const walked = walkPath(patch.node, path, object);
    if (walked.depth === 0) return null;
    // `field: null` in a strategic merge patch deletes the field: the cause of a missing one.
    const isNull = walked.value === null || (isScalar(walked.value) && walked.value.value === null);
    if (walked.depth < path.length && isNull) {
      return { depth: path.length + 1, location: locationOf(patch.source, walked.node) };
    }
    return { depth: walked.depth, location: locationOf(patch.source, walked.node) };
  }
  let best: Candidate | null = null;
  for (const op of patch.ops) {
    const prefix = op.path.length <= path.length && op.path.every((s, i) => s === String(path[i]));
    // A `remove` of the field (or of a parent) is the cause of a missing field: it wins.
    if (prefix && nodeValue(mapGet(op.node, 'op')) === 'remove') {
      return {
        depth: path.length + 1,
        location: locationOf(patch.source, mapKey(op.node, 'path') ?? op.node),
      };
    }
    const inside = op.path.length > path.length && path.every((s, i) => String(s) === op.path[i]);
    if (!prefix && !inside) continue;
    let depth = Math.min(op.path.length, path.length);
    let node: Node | null = mapKey(op.node, 'path') ?? op.node;
    if (prefix && op.value && op.path.length < path.length) {
      const walked = walkPath(op.value, path, object, op.path.length);
      if (walked.depth > 0) {
        depth += walked.depth;
        node = walked.node;
      }
    }
    if (!best || depth > best.depth) best = { depth, location: locationOf(patch.source, node) };
  }
  return best;
}

function generatorCandidate(generator: GeneratorEntry, path: FieldPath): Candidate | null {
  const [field, key] = path;
  if ((field === 'data' || field === 'stringData') && typeof key === 'string') {
    const at = generator.keys.get(key);
    if (at) return { depth: path.length, location: at };
  }
  if (generator.behavior !== 'create') return null;
  return { depth: 1, location: locationOf(generator.source, generator.node) };
}

/** `images:`, `replicas:` and `namespace:` set a field outright: they win when they match. */
function transformerLocation(
  layer: Layer,
  object: ManifestObject,
  path: FieldPath,
  name: string,
): SourceLocation | null {
  const last = path[path.length - 1];
  if (last === 'image' && (path.includes('containers') || path.includes('initContainers'))) {
    const image = String(getAt(object, path) ?? '');
    const repository = imageRepository(image);
    for (const entry of layer.images) {
      const { name: from, newName } = entry.values;
      if (repository === newName || (repository === from && !newName)) {
        return entryField(entry.source, entry.node, ['newTag', 'digest', 'newName', 'name']);
      }
    }
  }
  if (path.length === 2 && path[0] === 'spec' && path[1] === 'replicas') {
    const entry = layer.replicas.find((r) => r.values.name === name);
    if (entry) return entryField(entry.source, entry.node, ['count', 'name']);
  }
  if (
    path.length === 2 &&
    path[0] === 'metadata' &&
    path[1] === 'namespace' &&
    layer.namespace &&
    layer.source
  ) {
    return locationOf(layer.source, layer.namespace.node);
  }
  return null;
}

function entryField(source: YamlSource, node: Node, keys: readonly string[]): SourceLocation {
  for (const key of keys) {
    const found = mapKey(node, key);
    if (found) return locationOf(source, found);
  }
  return locationOf(source, node);
}

/**
 * The repository part of an image reference (no tag, no digest).
 * @example imageRepository('registry.example.com:5000/imgq/worker:0.1.0') // 'registry.example.com:5000/imgq/worker'
 */
export function imageRepository(image: string): string {
  const noDigest = image.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}
