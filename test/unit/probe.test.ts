// Interpreter discovery with a scripted target: which argv runs, in which order (pure logic; the
// real thing runs against podman in test/e2e/docker-errors.test.ts).
import { describe, expect, it } from 'vitest';
import { probeTarget } from '../../src/flush/probe.js';
import type { ExecResult, Target } from '../../src/targets/target.js';

function header(name: string, size: number): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0);
  block.write('0000644\0', 100);
  block.write(size.toString(8).padStart(11, '0') + '\0', 124);
  block.write('14000000000\0', 136);
  block.write('0', 156);
  block.write('ustar\u000000', 257);
  block.write('        ', 148);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return block;
}

function tarOf(files: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    parts.push(header(name, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

const missing: ExecResult = {
  exitCode: 127,
  stdout: Buffer.alloc(0),
  stderr: 'Error: executable file not found in $PATH',
};

function scripted(registrations: Record<string, string>): { target: Target; tried: string[] } {
  const tried: string[] = [];
  const target: Target = {
    kind: 'docker',
    id: 'abc',
    label: 'container api',
    async exec(argv) {
      tried.push(argv[0] ?? '');
      if (argv[0] !== '/opt/venv/bin/python') return missing;
      const report = { time: 1, python: '3.12.1', agents: [], processes: [], data_files: [] };
      return { exitCode: 0, stdout: Buffer.from(JSON.stringify(report) + '\n'), stderr: '' };
    },
    async readDirectory(path) {
      expect(path).toBe('/coverdata/.pycov-harvest');
      return tarOf(registrations);
    },
  };
  return { target, tried };
}

describe('probeTarget', () => {
  it('falls back to the interpreter an agent registered when python3 and python are missing', async () => {
    const { target, tried } = scripted({
      'proc-api-7.json': JSON.stringify({ pid: 7, executable: '/opt/venv/bin/python' }),
      'ack-api-7.json': JSON.stringify({ seq: 1 }),
    });
    const probed = await probeTarget(target, '/coverdata');
    expect(tried).toEqual(['python3', 'python', '/opt/venv/bin/python']);
    expect(probed.python).toBe('/opt/venv/bin/python');
    expect(probed.report.python).toBe('3.12.1');
  });

  it('says the target has no Python when nothing is found', async () => {
    const { target, tried } = scripted({});
    await expect(probeTarget(target, '/coverdata')).rejects.toThrow(
      "container api has no Python interpreter on PATH and no agent registration names one (python3: not found, python: not found); pycov-harvest runs the target's own Python, so put python3 on the image's PATH",
    );
    expect(tried).toEqual(['python3', 'python']);
  });
});
