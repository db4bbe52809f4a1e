// Inputs that choose the targets; none may reach a CLI as an option.
import { InputError, required, splitList } from './parse.js';
import type { TargetKind } from './types.js';

/** A container CLI is run by argv, so only a plain program name or path makes sense here. */
export function parseCommand(input: string, value: string): string {
  const command = value.trim();
  if (command === '' || /\s/.test(command)) {
    throw new InputError(
      input,
      `is \`${value}\``,
      'give one program name, e.g. `docker` or `podman`',
    );
  }
  return command;
}
/** Container names or label selectors: never something a CLI would read as an option. */
export function parseSelector(input: string, value: string, target: TargetKind): string {
  const selector = required(input, value, 'app=api');
  const items = splitList(selector);
  const option = items.find((item) => item.startsWith('-'));
  if (option !== undefined) {
    throw new InputError(
      input,
      `has \`${option}\`, which begins with \`-\``,
      'give label selectors like `app=api` or container names, which never begin with `-`',
    );
  }
  if (target === 'docker' && /(^|[\s,(])(!|\w+\s+(in|notin)\s*\()/.test(selector)) {
    throw new InputError(
      input,
      `is \`${value}\`, a set-based selector that docker label filters cannot express`,
      'use `key=value` or `key` items separated by commas, e.g. `app=api,tier=web`',
    );
  }
  return selector;
}

export function parseContainerName(input: string, value: string): string {
  const name = value.trim();
  if (name.startsWith('-')) {
    throw new InputError(
      input,
      `is \`${value}\`, which begins with \`-\``,
      'give the container name as the pod spec has it, e.g. `api`',
    );
  }
  return name;
}
