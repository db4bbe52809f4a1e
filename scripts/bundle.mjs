// Bundles src/ into dist/index.js and dist/cli.js (ESM, shared chunks) and writes dist/licenses.txt with the
// licence of every third-party package that ends up in the bundle.
import { build } from 'esbuild';
import { chmodSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist');

// Chunks from an earlier bundle would linger under new names.
rmSync(join(outdir, 'chunks'), { recursive: true, force: true });

/** @actions/core's OIDC helper gets a stub HTTP client (see scripts/stubs/oidc-http-client.mjs). */
const oidcStub = {
  name: 'oidc-http-client-stub',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@actions\/http-client(\/lib\/auth)?$/ }, (args) =>
      /@actions\/core\/lib\/oidc-utils\.js$/.test(args.importer)
        ? { path: join(root, 'scripts/stubs/oidc-http-client.mjs') }
        : undefined,
    );
  },
};

const result = await build({
  plugins: [oidcStub],
  // dist/cli.js: the runner-side CLI (`context`) that shares the action's target code.
  entryPoints: { index: join(root, 'src/index.ts'), cli: join(root, 'src/cli/main.ts') },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir,
  // The Kubernetes client and the artifact client load only when a run needs them (dynamic
  // imports), so a run that needs neither starts in a fraction of the time.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  // The Python programs run inside targets ship as text inside the bundle.
  loader: { '.py': 'text' },
  logLevel: 'warning',
  // CommonJS dependencies call require() for Node built-ins; give the ESM bundle one.
  banner: {
    js: "import { createRequire as __pycovCreateRequire } from 'node:module';\nconst require = __pycovCreateRequire(import.meta.url);",
  },
});

function packageRootOf(file) {
  const parts = file.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return undefined;
  const depth = parts[at + 1]?.startsWith('@') ? 3 : 2;
  return parts.slice(0, at + depth).join('/');
}

const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const pkgRoot = packageRootOf(input);
  if (!pkgRoot || packages.has(pkgRoot)) continue;
  const manifest = JSON.parse(readFileSync(join(root, pkgRoot, 'package.json'), 'utf8'));
  const licenceFile = readdirSync(join(root, pkgRoot)).find((f) =>
    /^(licen[cs]e|copying)/i.test(f),
  );
  packages.set(pkgRoot, {
    name: manifest.name,
    version: manifest.version,
    license: typeof manifest.license === 'string' ? manifest.license : 'UNKNOWN',
    text: licenceFile ? readFileSync(join(root, pkgRoot, licenceFile), 'utf8').trim() : '',
  });
}

const entries = [...packages.values()]
  .filter((p) => !(p.name === undefined))
  .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
const unique = entries.filter(
  (p, i) => i === 0 || p.name !== entries[i - 1].name || p.version !== entries[i - 1].version,
);
const text = unique
  .map((p) => `${p.name}@${p.version}\n${p.license}\n${p.text || '(no licence file shipped)'}`)
  .join('\n\n' + '-'.repeat(72) + '\n\n');
writeFileSync(join(outdir, 'licenses.txt'), text + '\n');
if (!existsSync(join(outdir, 'index.js'))) throw new Error('bundle missing');
// dist/cli.js is the npm package's `bin`: a hashbang and the execute bit make `npx pycov-harvest`
// run it (only there: esbuild's banner would put it into every chunk too).
const cli = join(outdir, 'cli.js');
writeFileSync(cli, `#!/usr/bin/env node\n${readFileSync(cli, 'utf8')}`);
chmodSync(cli, 0o755);
console.log(
  `bundled ${Object.keys(result.metafile.inputs).length} modules, ${unique.length} licensed packages -> ${outdir}`,
);
