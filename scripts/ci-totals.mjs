// Adds up what CI ran: vitest JSON reports (VITEST_JSON_DIR/*.json) and the pytest closing lines
// found in the given logs, and prints one closing line `N passed, N failed, N skipped`.
// Exits non-zero when anything failed or when nothing ran at all.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const [jsonDir, ...logs] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;

for (const name of readdirSync(jsonDir).filter((n) => n.endsWith('.json'))) {
  const report = JSON.parse(readFileSync(join(jsonDir, name), 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  console.log(`vitest ${name}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
}

// pytest -q closing lines, e.g. "2 failed, 85 passed, 3 skipped in 98.21s (0:01:38)"
const closing =
  /^(?:=+ )?((?:\d+ (?:passed|failed|skipped|errors?|xfailed|xpassed|deselected|warnings?)(?:, )?)+) in [\d.]+s/;
for (const log of logs) {
  for (const line of readFileSync(log, 'utf8')
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')) {
    const match = closing.exec(line.trim());
    if (!match) continue;
    const count = (word) => Number(new RegExp(`(\\d+) ${word}`).exec(match[1])?.[1] ?? 0);
    passed += count('passed');
    failed += count('failed') + count('errors?');
    skipped += count('skipped');
    console.log(`pytest: ${match[1]}`);
  }
}

console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
if (failed > 0 || passed === 0) process.exitCode = 1;
