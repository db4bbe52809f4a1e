// The `selector` of the `docker` target: labels or container names.

export type ContainerSelector =
  | { readonly kind: 'labels'; readonly labels: readonly string[] }
  | { readonly kind: 'names'; readonly names: readonly string[] };

/** `app=api,tier=web` selects by labels; `api,worker` (no `=`) names containers. */
export function parseContainerSelector(selector: string): ContainerSelector {
  const items = selector
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new Error('input `selector` is empty; set it, e.g. `app=api`');
  if (!items.some((item) => item.includes('='))) return { kind: 'names', names: items };
  for (const item of items) {
    if (/!=|\s|^=/.test(item) || /\b(in|notin)\b/.test(item)) {
      throw new Error(
        `input \`selector\` has \`${item}\`, which docker label filters cannot express; use \`key=value\` or \`key\` items separated by commas`,
      );
    }
  }
  return { kind: 'labels', labels: items };
}

export function describeSelector(selector: ContainerSelector): string {
  return selector.kind === 'labels'
    ? `label ${selector.labels.join(',')}`
    : `name ${selector.names.join(',')}`;
}
