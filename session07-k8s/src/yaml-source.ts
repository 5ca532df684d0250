/**
 * YAML as written by people, with positions: every manifest and kustomization is parsed with
 * `yaml`'s document API (not just to JSON), so that any node can say which file and line it
 * came from. Inline patches (a YAML string inside a kustomization) keep the line of the
 * kustomization they sit in.
 */
import { readFileSync } from 'node:fs';
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
} from 'yaml';
import { K8sError, K8sErrorCodes } from './errors.ts';
import { type FieldPath, getAt, isRecord } from './manifest.ts';

/** Where a finding points: a file and a 1-based line and column. */
export interface SourceLocation {
  /** Absolute path of the source file. */
  file: string;
  line: number;
  column: number;
}

/** One parsed YAML file (or inline YAML string) and how to turn offsets into lines. */
export interface YamlSource {
  /** Absolute path of the file the text lives in. */
  path: string;
  docs: Document.Parsed[];
  lineCounter: LineCounter;
  /** Lines to add: 0 for a file, the line of the `|` for an inline block string. */
  lineOffset: number;
}

/**
 * Parses YAML text (every document of it), keeping positions.
 * @throws {K8sError} `ERR_INVALID_YAML` naming the file, line and YAML's own message.
 */
export function parseYamlSource(text: string, path: string, lineOffset = 0): YamlSource {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) {
      const at = lineCounter.linePos(error.pos[0]);
      throw new K8sError(
        K8sErrorCodes.INVALID_YAML,
        `${path}:${at.line + lineOffset}:${at.col}: this is not valid YAML: ${error.message.split('\n')[0]} ` +
          'Fix the indentation or quoting there (a tab, a missing space after `:`, an unclosed quote).',
      );
    }
  }
  return { path, docs: list, lineCounter, lineOffset };
}

/** Reads and parses a YAML file. @throws {K8sError} `ERR_INVALID_YAML`, or fs errors. */
export function readYamlSource(path: string): YamlSource {
  return parseYamlSource(readFileSync(path, 'utf8'), path);
}

/** The location of a node (its first character). */
export function locationOf(source: YamlSource, node: Node | null | undefined): SourceLocation {
  const offset = node?.range?.[0] ?? 0;
  const pos = source.lineCounter.linePos(offset);
  return { file: source.path, line: pos.line + source.lineOffset, column: pos.col };
}

/** The plain JS value of a node (`null` when absent). */
export function nodeValue(node: Node | null | undefined): unknown {
  if (!node) return null;
  return (node as { toJSON(): unknown }).toJSON();
}

/** The value node of `key` in a map node, or `undefined`. */
export function mapGet(node: unknown, key: string): Node | undefined {
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    if (isScalar(pair.key) && String(pair.key.value) === key)
      return (pair.value ?? undefined) as Node | undefined;
  }
  return undefined;
}

/** The key node of `key` in a map node (where `key:` is written), or `undefined`. */
export function mapKey(node: unknown, key: string): Node | undefined {
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    if (isScalar(pair.key) && String(pair.key.value) === key) return pair.key as Node;
  }
  return undefined;
}

/** Result of {@link walkPath}: how far the path goes in the source, and the last node found. */
export interface WalkResult {
  /** Number of path segments found (`path.length` = the exact field). */
  depth: number;
  /** The node to point at: a key (`replicas:`), a list item, or the document root. */
  node: Node | null;
  /** The value found at that depth (`null` for a key written without a value). */
  value: Node | null;
}

/**
 * Follows `path` into a source node as far as it exists. List items are matched by their
 * `name` when the rendered item has one (Kustomize merges containers, env and ports by name,
 * so the base's container 0 may be the overlay's container 1), else by position.
 * @param rendered the rendered object the path refers to (to learn the items' names)
 */
export function walkPath(
  root: Node | null,
  path: FieldPath,
  rendered: unknown,
  from = 0,
): WalkResult {
  let node: Node | null = root;
  let pointAt: Node | null = root;
  let depth = 0;
  for (let i = from; i < path.length; i++) {
    const segment = path[i]!;
    if (typeof segment === 'string' && isMap(node)) {
      const key = mapKey(node, segment);
      if (!key) break;
      pointAt = key;
      node = mapGet(node, segment) ?? null;
    } else if (typeof segment === 'number' && isSeq(node)) {
      const item = seqItem(node.items as Node[], segment, getAt(rendered, path.slice(0, i + 1)));
      if (!item) break;
      pointAt = item;
      node = item;
    } else break;
    depth++;
  }
  return { depth, node: pointAt, value: node };
}

function seqItem(items: Node[], index: number, renderedItem: unknown): Node | undefined {
  if (isRecord(renderedItem) && typeof renderedItem.name === 'string') {
    const byName = items.find((item) => nodeValue(mapGet(item, 'name')) === renderedItem.name);
    if (byName) return byName;
    return undefined;
  }
  return items[index];
}
