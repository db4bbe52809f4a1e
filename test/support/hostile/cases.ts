// The hostile-target suite's cases (issue 19): what the attacker inside the service container does,
// and what the action must still do. Every case is also held to the suite's four checks (the
// service's real lines in the reports, the runner's files unchanged, no foreign `::` line, no
// target-made markup in the summary); `also` adds what that case must show besides.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { markerLine } from '../images.js';
import { annotations, type ActionRun } from '../run-action.js';

/** One thing the attacker plants in the data directory (see attacker.py `plant`). */
export type Plant = Record<string, unknown> & { kind: string };

/** What the fake listener on the container network forges (see attacker.py `FakeAgent`). */
export interface Forgery {
  /** Fields set on every process of the status answer (`python`, `coverage`). */
  status?: Record<string, unknown>;
  /** Bytes of padding after the status JSON. */
  status_pad?: number;
  /** The flush answer, instead of the real agent's. */
  flush?: Record<string, unknown>;
  /** How `GET /data` is forged (attacker.py `forged_stream`). */
  data?: string;
}

export interface HostileCase {
  readonly name: string;
  /** `plant`: files in /coverdata read by the action's own programs; `route`: the fake listener. */
  readonly on: 'plant' | 'route';
  readonly plant?: readonly Plant[];
  readonly forge?: Forgery;
  readonly inputs?: Record<string, string>;
  /** What else this case must show, as findings (empty: held). */
  readonly also?: (run: ActionRun) => string[];
}

const evenLine = markerLine('main.py', 'items-even');
const returnLine = markerLine('main.py', 'items-return');

/** A valid data file (arcs, as the service measures) with these measured names. */
function measuring(name: string, ...measured: string[]): Plant {
  return {
    kind: 'data',
    name,
    files: Object.fromEntries(measured.map((m) => [m, [1, 2]])),
  };
}

/** One warning names the data file the dropped names came from, and how many. */
function namesDataFile(file: string) {
  return (run: ActionRun): string[] =>
    annotations(run.stdout, 'warning').some((w) => w.includes(file) && /\d/.test(w))
      ? []
      : [`no warning names the data file ${file} and what was dropped from it`];
}

/** A warning or refusal whose text matches. */
function warns(pattern: RegExp, what: string) {
  return (run: ActionRun): string[] =>
    annotations(run.stdout, 'warning').some((w) => pattern.test(w)) ? [] : [`no warning ${what}`];
}

/** A line of the step log (a warning, or the one-sentence refusal) whose text matches. */
function says(pattern: RegExp, what: string) {
  return (run: ActionRun): string[] => (pattern.test(run.stdout) ? [] : [`no line ${what}`]);
}

/** Every check of `checks` (each a list of findings). */
function all(...checks: ((run: ActionRun) => string[])[]) {
  return (run: ActionRun): string[] => checks.flatMap((check) => check(run));
}

/** The one-line refusal of the agent's `GET /data` stream with this reason, and the fallback. */
function refused(reason: RegExp) {
  return says(
    new RegExp(
      `: refused the data stream of GET /pycov-harvest/data \\(${reason.source}\\); packing inside the target\n`,
    ),
    `refusing the stream (${reason.source})`,
  );
}

/** Every file the action wrote under `output-dir` has a plain name (no control characters). */
function plainNames(run: ActionRun): string[] {
  const bad: string[] = [];
  const visit = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if ([...e.name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
        bad.push(`a file named ${JSON.stringify(e.name)}`);
      if (e.isDirectory()) visit(join(dir, e.name));
    }
  };
  visit(join(run.workspace, 'coverage-harvest'));
  return bad;
}

/** At most `limit` warnings mention `what`: a flood is one warning with a count. */
function atMostWarnings(what: string, limit: number) {
  return (run: ActionRun): string[] => {
    const n = annotations(run.stdout, 'warning').filter((w) => w.includes(what)).length;
    return n <= limit ? [] : [`${n} warnings about ${what} (at most ${limit})`];
  };
}

const inject = (text: string): Plant[] => [
  measuring('.coverage.hostile-inject', `/etc/zz\n${text}`),
];

export const plantCases: HostileCase[] = [
  {
    // glob_literal turns `[` and `]` into `?`, so no new section can start; every option of the
    // `[report]` section the omit list sits in can still be set.
    name: 'the issue: a measured name whose newline sets [report] include for every target',
    on: 'plant',
    plant: inject('include = nothing/*\n#PWN'),
    also: namesDataFile('.coverage.hostile-inject'),
  },
  {
    name: 'the issue: a measured name that writes an `::error` line into the rc file',
    on: 'plant',
    plant: inject('::error title=pwned::PWN config line'),
  },
  {
    name: 'a measured name that sets [report] exclude_lines: every line of every target is excluded',
    on: 'plant',
    plant: inject('exclude_lines = .\n#PWN'),
  },
  {
    name: 'a measured name that tries a section ([html] extra_css = .git/config)',
    on: 'plant',
    plant: inject('[html]\nextra_css = .git/config\n#PWN'),
    inputs: { formats: 'lcov,json,html' },
  },
  {
    name: 'a carriage return in a measured name',
    on: 'plant',
    plant: [measuring('.coverage.hostile-cr', '/etc/zz\r::warning::PWN carriage return\r')],
    also: namesDataFile('.coverage.hostile-cr'),
  },
  {
    name: 'NUL and escape sequences in measured names',
    on: 'plant',
    plant: [
      measuring(
        '.coverage.hostile-nul',
        '/app/src/x\u0000PWN.py',
        '/app/\u001b[2J\u001b[31mPWN.py',
      ),
    ],
    also: namesDataFile('.coverage.hostile-nul'),
  },
  {
    name: '../ and relative measured names (not plausible paths)',
    on: 'plant',
    plant: [
      measuring(
        '.coverage.hostile-dotdot',
        '/app/src/../../../etc/PWN-shadow',
        '../../PWN/../etc/passwd',
      ),
    ],
    also: namesDataFile('.coverage.hostile-dotdot'),
  },
  {
    name: 'measured names with a markdown link and an image',
    on: 'plant',
    plant: [
      measuring(
        '.coverage.hostile-md',
        '/x/[PWN link](https://evil.example/PWN)',
        '/x/![PWN](https://evil.example/PWN.png)',
      ),
    ],
  },
  {
    name: 'measured names with raw HTML (img onerror, a href, details)',
    on: 'plant',
    plant: [
      measuring(
        '.coverage.hostile-html',
        '/x/<img src=x onerror=alert(1)>PWN',
        '/x/<a href="https://evil.example/PWN">PWN</a><details open><marquee>PWN',
      ),
    ],
  },
  {
    name: 'measured names with an @mention and bare URLs (autolinks)',
    on: 'plant',
    plant: [
      measuring(
        '.coverage.hostile-mention',
        '/x/@PWN-user www.PWN.example https://evil.example/PWN',
      ),
    ],
  },
  {
    name: 'measured names with table pipes',
    on: 'plant',
    plant: [measuring('.coverage.hostile-pipes', '/x/a| PWNCELL | b', '/x/\n| PWNCELL |\n|---|')],
  },
  {
    name: 'context names with markup, mentions and table pipes',
    on: 'plant',
    plant: [
      {
        kind: 'data',
        name: '.coverage.hostile-contexts',
        contexts: {
          '<img src=x onerror=alert(1)>PWN @PWN-user [PWN](https://evil.example/PWN)': {
            '/app/src/main.py': [evenLine, returnLine],
          },
          'ctx | PWNCELL | x': { '/app/src/main.py': [returnLine] },
        },
      },
    ],
  },
  {
    name: 'context names with newlines and workflow commands',
    on: 'plant',
    plant: [
      {
        kind: 'data',
        name: '.coverage.hostile-ctxcmd',
        contexts: {
          'test\n::error::PWN context\n::stop-commands::pwnstop': {
            '/app/src/main.py': [evenLine],
          },
        },
      },
    ],
  },
  {
    name: 'valid SQLite with line data among branch data (coverage.py refuses to combine it)',
    on: 'plant',
    plant: [{ ...measuring('.coverage.hostile-lines', '/app/src/main.py'), arcs: false }],
    also: namesDataFile('.coverage.hostile-lines'),
  },
  {
    name: 'a schema version that is markup (the error text reaches the summary)',
    on: 'plant',
    plant: [
      {
        kind: 'sql',
        name: '.coverage.hostile-schema',
        script: 'CREATE TABLE coverage_schema (version integer);',
        params: [
          [
            'INSERT INTO coverage_schema VALUES (?)',
            ['<img src=x onerror=alert(1)>PWN @PWN-user\n::error::PWN'],
          ],
        ],
      },
    ],
  },
  {
    name: 'valid data with an extra table and a trigger',
    on: 'plant',
    plant: [
      measuring('.coverage.hostile-trigger', '/etc/PWN-trigger.py'),
      {
        kind: 'sql',
        name: '.coverage.hostile-trigger',
        script:
          'CREATE TABLE pwn (x); CREATE TRIGGER pwn_t AFTER INSERT ON file BEGIN INSERT INTO pwn VALUES (1); END;',
      },
    ],
  },
  {
    name: 'the file table replaced by a view that calls writefile() (the sqlite3 shell has it)',
    on: 'plant',
    plant: [
      measuring('.coverage.hostile-view', '/etc/PWN-view.py'),
      {
        kind: 'sql',
        name: '.coverage.hostile-view',
        script:
          "PRAGMA foreign_keys=OFF; DROP TABLE file; CREATE VIEW file AS SELECT 1 AS id, writefile('pwned-PWN-view.txt', 'PWN') AS path;",
      },
    ],
  },
  {
    // Every unmapped name becomes an omit pattern today, matched against every measured name:
    // quadratic (2,000 names 2.5 s, 5,000 names 9.2 s; 150,000 run into the conversion's 900 s).
    name: 'huge counts: 8,000 measured names in one data file',
    on: 'plant',
    plant: [
      measuring('.coverage.hostile-count', '/etc/PWN-0.py'),
      {
        kind: 'sql',
        name: '.coverage.hostile-count',
        script:
          "INSERT INTO file (path) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 8000) SELECT '/etc/PWN-' || i || '.py' FROM n;",
      },
    ],
  },
  {
    name: 'symlink, hardlink, FIFO and device named like data files in the data directory',
    on: 'plant',
    plant: [
      { kind: 'symlink', name: '.coverage.PWN-symlink', to: '/etc/passwd' },
      { kind: 'hardlink', name: '.coverage.PWN-hardlink', to: '/etc/passwd' },
      { kind: 'fifo', name: '.coverage.PWN-fifo' },
      { kind: 'chardev', name: '.coverage.PWN-device' },
    ],
  },
  {
    name: 'one huge data file (a real one grown to 600 MiB, sparse) in the data directory',
    on: 'plant',
    plant: [{ kind: 'sparse', name: '.coverage.PWN-huge', size: 600 * 1024 * 1024 }],
    also: warns(
      /: data file "\.coverage\.PWN-huge" \(629145600 bytes\) was not copied: larger than 268435456 bytes \(the bound for one data file\)$/,
      'names the huge file and the bound',
    ),
  },
  {
    name: 'a flood of tiny files (20,000) in the data directory',
    on: 'plant',
    plant: [{ kind: 'many', name: '.coverage.PWN-tiny', count: 20_000, bytes: 10 }],
    also: all(
      atMostWarnings('PWN-tiny', 1),
      warns(
        /: 20000 data files were not copied, not an SQLite database \(no SQLite header\): "\.coverage\.PWN-tiny\d+", .* and 19995 more$/,
        'counting the junk files in one',
      ),
    ),
  },
  {
    name: 'a valid data file whose file name is a workflow command',
    on: 'plant',
    plant: [{ kind: 'copy-real', name: '.coverage.x\n::error title=PWN::PWN data file name' }],
    also: all(
      plainNames,
      warns(
        /: 1 data file\(s\) came with names coverage\.py does not write \("\.coverage\.x\\n::error title=PWN::PWN data file name"\), so they are kept as \.coverage\.renamed-<n>$/,
        'quoting the name the file came with',
      ),
    ),
  },
  {
    name: 'a registration that claims a coverage version with a workflow command and markup',
    on: 'plant',
    plant: [
      {
        kind: 'registration',
        name: '.pycov-harvest/proc-!PWN.json',
        json: {
          pid: 1,
          port: null,
          signal: null,
          python: '3.11.2',
          coverage: '7.17.4\n::error::PWN version <img src=x onerror=alert(1)> @PWN-user',
        },
      },
    ],
  },
  {
    name: 'a malformed registration whose name is a workflow command and a mention',
    on: 'plant',
    plant: [
      {
        kind: 'bytes',
        name: '.pycov-harvest/proc-\n::error::PWN @PWN-user.json',
        text: 'not json',
      },
    ],
  },
];

const data = (mode: string, also?: HostileCase['also']): HostileCase => ({
  name: `GET /data: ${mode}`,
  on: 'route',
  forge: { data: mode },
  also: also ?? says(/GET \/pycov-harvest\/data|tar stream|archive|entry/i, 'refusing the stream'),
});

export const routeCases: HostileCase[] = [
  {
    ...data('dotdot', refused(/entry name with `\.\.`: "\.\.\/\.\.\/pwn-dotdot-PWN"/)),
    name: 'GET /data: an entry named ../../pwn',
  },
  {
    ...data('absolute', refused(/absolute entry name "\/tmp\/pwn-absolute-PWN"/)),
    name: 'GET /data: an absolute entry name',
  },
  {
    ...data('symlink', refused(/symbolic link "\.coverage\.PWN-symlink" in the archive/)),
    name: 'GET /data: a symbolic link entry',
  },
  {
    ...data('hardlink', refused(/hard link "\.coverage\.PWN-hardlink" in the archive/)),
    name: 'GET /data: a hard link entry',
  },
  {
    ...data('chardev', refused(/character device "\.coverage\.PWN-device" in the archive/)),
    name: 'GET /data: a character device entry',
  },
  {
    ...data('fifo', refused(/FIFO "\.coverage\.PWN-fifo" in the archive/)),
    name: 'GET /data: a FIFO entry',
  },
  {
    ...data(
      'command-name',
      all(
        plainNames,
        warns(
          /: 1 data file\(s\) came with names coverage\.py does not write \("\.coverage\.x\\n::error title=PWN::PWN entry name"\), so they are kept as \.coverage\.renamed-<n>$/,
          'quoting the name the file came with',
        ),
      ),
    ),
    name: 'GET /data: an entry named like a workflow command',
  },
  {
    ...data(
      'manifest-lie',
      refused(
        /1 data file\(s\) from [^ ]+ [^ ]+ do not match their manifest \("\.coverage\.lost\\n::error::PWN manifest\\n::stop-commands::pwnstop"\); the stream was damaged on the way, run the step again/,
      ),
    ),
    name: 'GET /data: a manifest naming a file that is a workflow command (and stop-commands)',
  },
  {
    ...data(
      'huge',
      refused(
        /entry "\.coverage\.PWN-huge" announces 1099511627776 bytes, over the 268435456-byte bound of one data file/,
      ),
    ),
    name: 'GET /data: one entry that announces a terabyte',
  },
  {
    ...data(
      'tiny',
      all(
        atMostWarnings('tiny', 20),
        refused(/the archive holds more than 4096 data files, the bound of one target/),
      ),
    ),
    name: 'GET /data: 12,000 tiny entries, all in the manifest',
  },
  {
    name: 'status: versions that carry workflow commands and markup',
    on: 'route',
    forge: {
      status: {
        python: '3.11.2\n::error::PWN python',
        coverage: '7.17.4\n::error::PWN coverage <img src=x onerror=alert(1)> @PWN-user',
      },
    },
    also: all(
      warns(
        /reports Python version "3\.11\.2\\n::error::PWN python", which is not a version; it is ignored for choosing the conversion's toolchain$/,
        'ignoring the forged Python version',
      ),
      warns(
        /reports coverage\.py version "7\.17\.4\\n::error::PWN coverage <img src=x onerror=alert\(1\)> @P…", which is not a version; it is ignored/,
        'ignoring the forged coverage.py version',
      ),
    ),
  },
  {
    name: 'flush: an answer whose reasons carry workflow commands and stop-commands',
    on: 'route',
    forge: {
      flush: {
        ok: false,
        seq: null,
        acks: [],
        missing: [
          {
            pid: 1,
            reason: 'x\n::error::PWN reason\n::stop-commands::pwnstop\n<img src=x>@PWN-user',
          },
        ],
      },
    },
    also: says(
      /: http not confirmed in \d+ ms: the agent answered HTTP \d+ through .+ \(pid 1: "x\\n::error::PWN reason\\n::stop-commands::pwnstop\\n<img src=x>@PWN-user"\)\n/,
      'quoting the reasons of the flush answer',
    ),
  },
  {
    name: 'status: a 32 MiB answer (bounded)',
    on: 'route',
    forge: { status_pad: 32 * 1024 * 1024 },
    also: says(
      /: the agent's status answer is larger than 1048576 bytes, the bound of an agent answer, so it was not read; asking the agent from inside the target\n/,
      'the status answer was larger than its bound',
    ),
  },
];
