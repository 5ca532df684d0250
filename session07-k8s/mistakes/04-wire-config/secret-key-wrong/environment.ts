import { fileURLToPath } from 'node:url';

/** This folder: the checks render it with `kubectl kustomize` (edit deployment.yaml here). */
export const MANIFESTS_DIR = fileURLToPath(new URL('.', import.meta.url));

/** The parts of a container spec that make its environment. */
export interface ContainerEnvSpec {
  envFrom?: { prefix?: string; configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: {
      configMapKeyRef?: { name: string; key: string };
      secretKeyRef?: { name: string; key: string };
    };
  }[];
}

/** ConfigMap and Secret data by object name; Secret values already decoded from base64. */
export interface EnvSources {
  configMaps: Record<string, Record<string, string>>;
  secrets: Record<string, Record<string, string>>;
}

/**
 * The environment the container's process sees, built the way the kubelet builds it:
 *
 * 1. `envFrom` first, source by source (a `prefix` goes in front of each key);
 * 2. then `env`, in order: a later definition of a name replaces an earlier one;
 * 3. in a `value`, `$(NAME)` is replaced by NAME's value **if NAME was defined before**
 *    (by envFrom or by an earlier env entry); otherwise it stays as the text `$(NAME)`.
 *    `$$` is an escaped `$`: `$$(NAME)` gives the text `$(NAME)`.
 * 4. `valueFrom` reads a key of a ConfigMap or Secret (a missing one defines nothing).
 *
 * @example
 * resolveEnv({ env: [{ name: 'A', value: 'x' }, { name: 'B', value: '$(A)-$(C)' }] }, { configMaps: {}, secrets: {} })
 * // { A: 'x', B: 'x-$(C)' }
 */
export function resolveEnv(
  container: ContainerEnvSpec,
  sources: EnvSources,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const data = source.configMapRef
      ? sources.configMaps[source.configMapRef.name]
      : source.secretRef
        ? sources.secrets[source.secretRef.name]
        : undefined;
    for (const [key, value] of Object.entries(data ?? {}))
      env[`${source.prefix ?? ''}${key}`] = value;
  }
  for (const variable of container.env ?? []) {
    const { configMapKeyRef, secretKeyRef } = variable.valueFrom ?? {};
    if (configMapKeyRef || secretKeyRef) {
      const ref = (configMapKeyRef ?? secretKeyRef)!;
      const data = configMapKeyRef ? sources.configMaps[ref.name] : sources.secrets[ref.name];
      const value = data?.[ref.key];
      if (value !== undefined) env[variable.name] = value;
    } else {
      env[variable.name] = expand(variable.value ?? '', env);
    }
  }
  return env;
}

/** `$(NAME)` → its value when defined so far; `$$` → `$`; anything else unchanged. */
function expand(text: string, defined: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([^)]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && Object.hasOwn(defined, name) ? defined[name]! : match;
  });
}
