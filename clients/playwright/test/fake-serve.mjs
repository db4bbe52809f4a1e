// A stand-in for `node dist/cli.js serve`, run as `node fake-serve.mjs serve --port 0 ARGS`:
// answers each switch like serve (a name with `refuse` is not confirmed by one target);
// `--selector exit` exits before it is ready, as serve does on a usage error; `--selector silent`
// never prints its ready line.
import { createServer } from 'node:http';

const args = process.argv.slice(2);
if (args.includes('exit')) {
  console.error('pycov-harvest: no running containers with label exit found; check `selector`');
  process.exit(2);
}
if (args.includes('silent')) setInterval(() => undefined, 1000);
else {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const name = JSON.parse(body).context;
      const refused = name.includes('refuse');
      const targets = [
        { label: 'container a', ok: true, processes: 3, ms: 1, detail: '3 switched' },
        {
          label: 'container b',
          ok: !refused,
          processes: refused ? 0 : 1,
          ms: 1,
          detail: refused ? 'pid 7: no acknowledgement within 10 s' : '1 switched',
        },
      ];
      res.writeHead(refused ? 502 : 200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ok: !refused, context: name, targets }));
    });
  });
  server.listen(0, '127.0.0.1', () =>
    console.log(
      `pycov-harvest: switching contexts on http://127.0.0.1:${server.address().port}/context (POST {"context": NAME})`,
    ),
  );
  process.once('SIGTERM', () => process.exit(0));
}
