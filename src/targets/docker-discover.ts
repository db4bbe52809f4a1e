// The `docker` discoverer's listing: running containers by labels, or containers by name.
import { errorLine } from '../shared/text.js';
import type { ContainerCli } from './container-cli.js';
import { parseInspect, type ContainerFacts } from './container-facts.js';
import { parseContainerSelector } from './container-selector.js';
import { DockerTarget } from './docker.js';

/** How docker and podman say `inspect` found no container of that name. */
const NO_SUCH_CONTAINER = /no such (container|object)/i;

/** Finds running containers by labels, or containers by name (any state). */
export async function findContainers(
  cli: ContainerCli,
  selectorText: string,
): Promise<DockerTarget[]> {
  const selector = parseContainerSelector(selectorText);
  if (selector.kind === 'labels') {
    const filters = selector.labels.flatMap((label) => ['--filter', `label=${label}`]);
    const result = await cli.check([
      'ps',
      '--no-trunc',
      '--format',
      '{{.ID}} {{.Names}}',
      ...filters,
    ]);
    // `ps` lists running containers only; one inspect of them all tells where their agents listen.
    const listed = parseIdNameLines(result.stdout.toString());
    const facts = await inspectAll(
      cli,
      listed.map(({ id }) => id),
    );
    // An injector container of a harvest running now carries the service image's labels too.
    return listed
      .filter(({ id }) => facts.get(id)?.injector !== true)
      .map(({ id, name }) => {
        const known = facts.get(id);
        return new DockerTarget(
          cli,
          id,
          `container ${name}`,
          known?.running ?? true,
          known?.listener,
        );
      });
  }
  const found: DockerTarget[] = [];
  const missing: string[] = [];
  for (const name of selector.names) {
    const result = await cli.run(['inspect', '--type', 'container', '--', name]);
    const [entry] = parseInspect(result.stdout.toString());
    if (result.exitCode !== 0 && !NO_SUCH_CONTAINER.test(result.stderr)) {
      // Not a missing name: the engine's own reason, never "no container named ...".
      cli.throwIfUnreachable(result.stderr);
      throw new Error(
        `\`${cli.command} inspect\` failed with exit status ${result.exitCode}: ${errorLine(result.stderr)}`,
      );
    }
    if (result.exitCode !== 0 || entry === undefined) missing.push(name);
    else
      found.push(
        new DockerTarget(cli, entry.id, `container ${entry.name}`, entry.running, entry.listener),
      );
  }
  if (missing.length > 0 && found.length > 0) {
    throw new Error(
      `no container named ${missing.map((n) => `\`${n}\``).join(', ')}; check \`selector\` (\`${cli.command} ps -a\` lists the containers)`,
    );
  }
  return found;
}

/** The facts of the listed containers by id; a container gone since the listing is left out. */
async function inspectAll(
  cli: ContainerCli,
  ids: readonly string[],
): Promise<Map<string, ContainerFacts>> {
  if (ids.length === 0) return new Map();
  const result = await cli.run(['inspect', '--type', 'container', '--', ...ids], {
    maxStdoutBytes: 64 * 1024 * 1024,
  });
  return new Map(parseInspect(result.stdout.toString()).map((facts) => [facts.id, facts]));
}

/** `ps --format '{{.ID}} {{.Names}}'` lines as ids and names. */
export function parseIdNameLines(text: string): { id: string; name: string }[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [id = '', name = id] = line.split(/\s+/);
      return { id, name: name.replace(/^\//, '') };
    });
}
