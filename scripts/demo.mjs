// `npm run demo`: a sample FastAPI service in a podman container with the agent on, a few
// requests (one SSE stream left open, the case that defeats SIGTERM-based recipes), then the
// bundled action with the `docker` target, as a runner would run it. Prints the job summary
// and where the reports are. Needs root on Debian/Ubuntu (it installs podman when missing).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'out', 'demo');
const label = 'app=pycov-harvest-demo';
const name = 'pycov-harvest-demo';
const versions = Object.fromEntries(
  readFileSync(join(root, 'test/images/versions.env'), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_0-9]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

function say(text) {
  process.stdout.write(`\n\x1b[1m== ${text}\x1b[0m\n`);
}

function sh(argv, options = {}) {
  return execFileSync(argv[0], argv.slice(1), { cwd: root, encoding: 'utf8', ...options });
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function get(port, path) {
  return new Promise((resolveGet, reject) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolveGet({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function waitForHealth(port, seconds) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      if ((await get(port, '/health')).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(
        `the demo service did not answer /health on port ${port} within ${seconds} s`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Holds GET /stream open until the returned function is called. */
function openStream(port) {
  const req = request({ host: '127.0.0.1', port, path: '/stream?seconds=600' });
  let ticks = 0;
  req.on('response', (res) => res.on('data', () => (ticks += 1)));
  req.on('error', () => {});
  req.end();
  return { ticks: () => ticks, close: () => req.destroy() };
}

const namedEntities = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&', nbsp: ' ' };

/** Drops tags and decodes the entities the summary escapes names with (named and numeric). */
function plainText(html) {
  return html.replace(/<[^>]+>/g, '').replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, body) => {
    if (body.startsWith('#x') || body.startsWith('#X'))
      return String.fromCodePoint(parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(Number(body.slice(1)));
    return namedEntities[body.toLowerCase()] ?? entity;
  });
}

/** The job summary is GitHub-flavoured markdown with HTML tables; make it readable in a terminal. */
function summaryAsText(html) {
  const table = (part) => {
    const rows = [...part.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
      [...row[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) =>
        plainText(cell[1]).trim(),
      ),
    );
    const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
    return (
      '\n' +
      rows.map((r) => '  ' + r.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n') +
      '\n'
    );
  };
  const prose = (part) =>
    plainText(
      part
        .replace(/<summary>([\s\S]*?)<\/summary>/g, '\n$1\n')
        .replace(
          /<h(\d)>([\s\S]*?)<\/h\1>/g,
          (_, level, text) => `\n${'#'.repeat(Number(level))} ${text}\n`,
        )
        .replace(/<br\s*\/?>/g, '\n')
        .replace(/<li>([\s\S]*?)<\/li>/g, '  - $1\n'),
    );
  return html
    .split(/(<table>[\s\S]*?<\/table>)/g)
    .map((part) => (part.startsWith('<table>') ? table(part) : prose(part)))
    .join('')
    .replace(/\n{3,}/g, '\n\n');
}

function runAction(env) {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [join(root, 'dist/index.js')], {
      cwd: root,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('close', (code) => resolveRun(code ?? 1));
  });
}

async function main() {
  if (process.getuid?.() !== 0)
    throw new Error('the demo installs and runs rootful podman: run it as root');
  say('podman (installed and configured when missing)');
  sh(['bash', 'test/images/setup-podman.sh'], { stdio: 'inherit' });
  say('images (built from a debootstrap root, cached under ~/.cache/pycov-harvest)');
  sh(['bash', 'test/images/build.sh', 'service', 'coverage'], { stdio: 'inherit' });

  for (const id of sh(['podman', 'ps', '-aq', '--filter', `label=${label}`])
    .split('\n')
    .filter(Boolean)) {
    sh(['podman', 'rm', '-f', '-t', '0', id]);
  }
  const port = await freePort();
  say(
    `starting the sample service (uvicorn ${versions.UVICORN_VERSION}, agent on) on 127.0.0.1:${port}`,
  );
  const container = sh([
    'podman',
    'run',
    '-d',
    '--label',
    label,
    '--name',
    name,
    '-p',
    `127.0.0.1:${port}:${versions.SERVICE_PORT}`,
    '-e',
    'COVERAGE_MODE=agent',
    versions.SERVICE_IMAGE,
  ]).trim();
  const stream = { close() {}, ticks: () => 0 };
  try {
    await waitForHealth(port, 60);
    say('end-to-end "tests": a few requests, and one SSE stream left open');
    for (const path of ['/items/2', '/items/3', '/divide?a=6&b=3', '/divide?a=1&b=0', '/info']) {
      const { status } = await get(port, path);
      console.log(`  GET ${path} -> ${status}`);
    }
    Object.assign(stream, openStream(port));
    await new Promise((r) => setTimeout(r, 1500));
    console.log(
      `  GET /stream -> open (${stream.ticks()} events so far; it stays open during the harvest)`,
    );

    say('the action (node dist/index.js), as a GitHub runner runs the step');
    rmSync(out, { recursive: true, force: true });
    mkdirSync(join(out, 'runner-temp'), { recursive: true });
    const summaryFile = join(out, 'step-summary.md');
    const outputFile = join(out, 'github-output');
    writeFileSync(summaryFile, '');
    writeFileSync(outputFile, '');
    const inputs = {
      target: 'docker',
      selector: label,
      'docker-command': 'podman',
      'coverage-image': versions.COVERAGE_IMAGE,
      'path-map': '/app=test/images/app',
      formats: 'lcov,xml,json,html',
      'output-dir': relative(root, join(out, 'reports')),
      upload: 'false',
    };
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: root,
      RUNNER_TEMP: join(out, 'runner-temp'),
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_OUTPUT: outputFile,
    };
    for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
    const code = await runAction(env);

    say('job summary');
    console.log(summaryAsText(readFileSync(summaryFile, 'utf8')));
    if (code !== 0) throw new Error(`the action failed (exit ${code}); its log is above`);
    say('reports');
    const reports = join(out, 'reports');
    for (const name of [
      'coverage.lcov',
      'coverage.xml',
      'coverage.json',
      'htmlcov/index.html',
      '.coverage',
    ]) {
      const path = join(reports, name);
      if (existsSync(path)) console.log(`  ${relative(process.cwd(), path)}`);
    }
    console.log(`  step outputs: ${relative(process.cwd(), outputFile)}`);
    const running = sh(['podman', 'inspect', '--format', '{{.State.Running}}', container]).trim();
    console.log(
      running === 'true'
        ? `  the service kept running through the harvest (container ${name}); the stream got ${stream.ticks()} events`
        : `  the service is no longer running (the chain fell back to sigterm)`,
    );
  } finally {
    stream.close();
    sh(['podman', 'rm', '-f', '-t', '0', container]);
  }
}

main().catch((error) => {
  console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
