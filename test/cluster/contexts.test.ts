// Which test ran which line on the real cluster: `node dist/cli.js context NAME --target
// kubernetes` switches all 3 replicas of a Deployment (every agent process of each, through a
// port-forward), requests reach every pod, and the harvest shows each line under the context
// that ran it, in the contexts-file and in coverage.py's own per-line contexts.
import { execFile, spawn } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSourceDir, images, markerLine, repoRoot } from '../support/images.js';
import { makeWorkspace, runAction } from '../support/run-action.js';
import {
  admin,
  adminKubeconfig,
  createDeployment,
  createNamespace,
  deleteNamespace,
  podGet,
  requireCluster,
  serviceContainer,
  servicePodSpec,
  waitFor,
  waitForServicePods,
} from './support.js';

const execFileAsync = promisify(execFile);
const NS = 'pch-contexts';
const SELECTOR = 'app=api';
let pods: V1Pod[] = [];

beforeAll(async () => {
  requireCluster();
  await createNamespace(NS);
  await createDeployment(
    NS,
    'api',
    3,
    { app: 'api' },
    servicePodSpec([serviceContainer('api', 'agent')]),
  );
  pods = await waitForServicePods(NS, SELECTOR, 3);
});

afterAll(() => deleteNamespace(NS));

async function switchTo(name: string): Promise<string[]> {
  const { stdout } = await execFileAsync(
    process.execPath,
    [
      join(repoRoot, 'dist/cli.js'),
      'context',
      name,
      '--target',
      'kubernetes',
      '--namespace',
      NS,
      '--selector',
      SELECTOR,
      '--kubeconfig',
      adminKubeconfig,
    ],
    { timeout: 120_000 },
  );
  return stdout.trim().split('\n');
}

async function everyPod(path: string): Promise<void> {
  for (const pod of pods) expect((await podGet(pod, path)).status).toBeLessThan(500);
}

describe('contexts on the cluster', () => {
  it('one CLI call switches all 3 replicas; the harvest shows which context ran which line', async () => {
    const first = await switchTo('checkout');
    expect(first).toHaveLength(3);
    for (const line of first)
      expect(line).toMatch(
        /^pod pch-contexts\/api-\S+ \(container api\): context "checkout" in [1-9]\d* process\(es\), \d+ ms \(.*through a port-forward\)$/,
      );
    await everyPod('/items/2');
    await switchTo('refund');
    await everyPod('/items/3');
    await everyPod('/divide?a=1&b=0');
    await switchTo('');

    const run = await runAction(
      {
        target: 'kubernetes',
        namespace: NS,
        selector: SELECTOR,
        kubeconfig: adminKubeconfig,
        'docker-command': 'podman',
        'coverage-image': images.coverage,
        'path-map': `${images.appDir.replace(/\/src$/, '')}=.`,
        formats: 'json,html',
        upload: 'false',
      },
      makeWorkspace((ws) => cpSync(appSourceDir, join(ws, 'src'), { recursive: true })),
    );
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
    const file = JSON.parse(
      readFileSync(join(run.workspace, run.outputs['contexts-file'] ?? 'missing'), 'utf8'),
    ) as Record<string, Record<string, number[]>>;
    const ran = (context: string, marker: string): boolean =>
      file[context]?.['src/main.py']?.includes(markerLine('main.py', marker)) ?? false;
    expect(ran('checkout', 'items-even')).toBe(true);
    expect(ran('refund', 'items-even')).toBe(false);
    expect(ran('refund', 'items-odd')).toBe(true);
    expect(ran('checkout', 'items-odd')).toBe(false);
    expect(ran('refund', 'divide-by-zero')).toBe(true);
    expect(run.summary).toContain('E2E tests');

    // coverage.py's own per-line contexts in the JSON report say the same.
    const report = JSON.parse(
      readFileSync(join(run.workspace, 'coverage-harvest/coverage.json'), 'utf8'),
    ) as { files: Record<string, { contexts?: Record<string, string[]> }> };
    const contexts = report.files['src/main.py']?.contexts ?? {};
    expect(contexts[String(markerLine('main.py', 'items-even'))]).toEqual(['checkout']);
    expect(contexts[String(markerLine('main.py', 'items-odd'))]).toEqual(['refund']);
    // Every process of every replica saved its windows: 3 pods, each with its data file(s).
    const targets = JSON.parse(run.outputs.targets ?? '[]') as { files: number }[];
    expect(targets).toHaveLength(3);
    for (const t of targets) expect(t.files).toBeGreaterThan(0);
  });

  it('serve switches the replicas through relays; a replacement pod joins at the current context', async () => {
    const serve = spawn(
      process.execPath,
      [
        join(repoRoot, 'dist/cli.js'),
        ...['serve', '--port', '0', '--target', 'kubernetes', '--namespace', NS],
        ...['--selector', SELECTOR, '--kubeconfig', adminKubeconfig],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    serve.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    serve.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    try {
      const url = await waitFor('serve ready', 60_000, async () =>
        /switching contexts on (http:\S+\/context)/.exec(output)?.at(1),
      );
      expect(output.match(/switches through a relay \(exec'd once, python3\)/g)).toHaveLength(3);
      const post = async (context: string) => {
        const response = await fetch(url, { method: 'POST', body: JSON.stringify({ context }) });
        return {
          status: response.status,
          body: (await response.json()) as { targets: { label: string; processes: number }[] },
        };
      };
      const first = await post('serve-a');
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body.targets).toHaveLength(3);
      for (const t of first.body.targets) expect(t.processes).toBeGreaterThan(0);

      // A replica replaced (as a rollout or an eviction would): the old pod is dropped, the new
      // one is switched to the current context before it takes part in the next switch.
      const victim = pods[0]?.metadata?.name ?? '';
      await admin()
        .makeApiClient(CoreV1Api)
        .deleteNamespacedPod({ namespace: NS, name: victim, gracePeriodSeconds: 0 });
      const joined = await waitFor('a replacement pod joined', 120_000, async () =>
        /pod pch-contexts\/(api-\S+) \(container api\): joined/.exec(output)?.at(1),
      );
      expect(joined).not.toBe(victim);
      expect(output).toContain(`pod ${NS}/${victim} (container api): gone`);
      expect(output).toMatch(
        new RegExp(
          `pod ${NS}/${joined} \\(container api\\): context "serve-a" in [1-9]\\d* process`,
        ),
      );
      const second = await post('serve-b');
      expect(second.status, JSON.stringify(second.body)).toBe(200);
      expect(second.body.targets.map((t) => t.label).sort()).toContain(
        `pod ${NS}/${joined} (container api)`,
      );
      expect(second.body.targets.map((t) => t.label)).not.toContain(
        `pod ${NS}/${victim} (container api)`,
      );
      expect((await post('')).status).toBe(200);
    } finally {
      serve.kill('SIGTERM');
    }
    const code = await new Promise((resolve) => serve.once('exit', resolve));
    expect(code, output).toBe(0);
  });
});
