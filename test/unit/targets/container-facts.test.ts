import { describe, expect, it } from 'vitest';
import { listenerOf, parseInspect } from '../../../src/targets/container-facts.js';

/** The parts of `docker inspect` / `podman inspect` output the harvest reads, in their shapes. */
function inspected(
  env: string[],
  networks: Record<string, { IPAddress: string; GlobalIPv6Address?: string }>,
  top = '',
) {
  return {
    Id: 'a'.repeat(64),
    Name: '/api',
    State: { Running: true },
    Config: { Env: ['PATH=/usr/bin', 'SECRET_DB_PASSWORD=hunter2', ...env] },
    NetworkSettings: { IPAddress: top, GlobalIPv6Address: '', Networks: networks },
  };
}
const bridge = { bridge: { IPAddress: '10.213.0.21' } };
const withToken = ['PYCOV_HARVEST_TOKEN=s3cret'];

describe('listenerOf: where the runner reaches a container agent without an exec', () => {
  it.each([
    ['the default, loopback only', [], undefined],
    ['127.0.0.1 explicitly', ['PYCOV_HARVEST_HOST=127.0.0.1', ...withToken], undefined],
    ['localhost', ['PYCOV_HARVEST_HOST=localhost', ...withToken], undefined],
    ['::1', ['PYCOV_HARVEST_HOST=::1', ...withToken], undefined],
    [
      '0.0.0.0 without a token (the agent keeps the listener off)',
      ['PYCOV_HARVEST_HOST=0.0.0.0'],
      undefined,
    ],
    [
      '0.0.0.0 with an empty token',
      ['PYCOV_HARVEST_HOST=0.0.0.0', 'PYCOV_HARVEST_TOKEN='],
      undefined,
    ],
    [
      '0.0.0.0, listener off',
      ['PYCOV_HARVEST_HOST=0.0.0.0', 'PYCOV_HARVEST_PORT=off', ...withToken],
      undefined,
    ],
    [
      '0.0.0.0, a port the agent refuses',
      ['PYCOV_HARVEST_HOST=0.0.0.0', 'PYCOV_HARVEST_PORT=70000', ...withToken],
      undefined,
    ],
    [
      '0.0.0.0 with a token, default port',
      ['PYCOV_HARVEST_HOST=0.0.0.0', ...withToken],
      { address: '10.213.0.21', port: 9797, token: 's3cret' },
    ],
    [
      'its own port',
      ['PYCOV_HARVEST_HOST=0.0.0.0', 'PYCOV_HARVEST_PORT= 8123 ', ...withToken],
      { address: '10.213.0.21', port: 8123, token: 's3cret' },
    ],
    [
      'the last definition wins',
      ['PYCOV_HARVEST_HOST=127.0.0.1', 'PYCOV_HARVEST_HOST=0.0.0.0', ...withToken],
      { address: '10.213.0.21', port: 9797, token: 's3cret' },
    ],
    [
      'its own address',
      ['PYCOV_HARVEST_HOST=10.213.0.21', ...withToken],
      { address: '10.213.0.21', port: 9797, token: 's3cret' },
    ],
    [
      'an address the container does not have',
      ['PYCOV_HARVEST_HOST=10.9.9.9', ...withToken],
      undefined,
    ],
  ])('%s', (_name, env, expected) => {
    expect(listenerOf(inspected(env, bridge))).toEqual(expected);
  });

  it('takes an IPv4 address for 0.0.0.0 and any for ::', () => {
    const dual = {
      net: { IPAddress: '', GlobalIPv6Address: 'fd00::5' },
      other: { IPAddress: '10.88.0.7' },
    };
    expect(listenerOf(inspected(['PYCOV_HARVEST_HOST=0.0.0.0', ...withToken], dual))?.address).toBe(
      '10.88.0.7',
    );
    expect(listenerOf(inspected(['PYCOV_HARVEST_HOST=::', ...withToken], dual))?.address).toBe(
      '10.88.0.7',
    );
    const v6only = { net: { IPAddress: '', GlobalIPv6Address: 'fd00::5' } };
    expect(listenerOf(inspected(['PYCOV_HARVEST_HOST=::', ...withToken], v6only))?.address).toBe(
      'fd00::5',
    );
    expect(
      listenerOf(inspected(['PYCOV_HARVEST_HOST=0.0.0.0', ...withToken], v6only)),
    ).toBeUndefined();
  });

  it('has no route for a container without an address (host network, --network none)', () => {
    expect(listenerOf(inspected(['PYCOV_HARVEST_HOST=0.0.0.0', ...withToken], {}))).toBeUndefined();
  });
});

describe('parseInspect', () => {
  it("reads id, name (without docker's slash), state and the listener; nothing else of the environment", () => {
    const [facts, ...rest] = parseInspect(
      JSON.stringify([inspected(['PYCOV_HARVEST_HOST=0.0.0.0', ...withToken], {}, '10.88.2.54')]),
    );
    expect(rest).toEqual([]);
    expect(facts).toEqual({
      id: 'a'.repeat(64),
      name: 'api',
      running: true,
      injector: false,
      listener: { address: '10.88.2.54', port: 9797, token: 's3cret' },
    });
    expect(JSON.stringify(facts)).not.toContain('hunter2');
  });

  it("tells an `attach` injector container apart by its label (it carries the service image's labels)", () => {
    const injector = {
      ...inspected([], {}),
      Config: { Env: [], Labels: { app: 'api', 'pycov-harvest.injector': 'attach' } },
    };
    const service = {
      ...inspected([], {}),
      Id: 'b'.repeat(64),
      Config: { Labels: { app: 'api' } },
    };
    expect(parseInspect(JSON.stringify([injector, service])).map((f) => f.injector)).toEqual([
      true,
      false,
    ]);
  });

  it('reads what it can of a partial answer and nothing of garbage', () => {
    expect(parseInspect('')).toEqual([]);
    expect(parseInspect('Error: no such container x')).toEqual([]);
    expect(parseInspect('{"Id": "x"}')).toEqual([]);
    expect(parseInspect('[{"Name": "no id"}, {"Id": "b", "State": {"Running": false}}]')).toEqual([
      { id: 'b', name: 'b', running: false, injector: false },
    ]);
  });
});
