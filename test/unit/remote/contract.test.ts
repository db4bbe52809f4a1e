// A program's stdout as a hostile target can forge it (it can replace its own Python): a tar
// stream from a program that sends none breaks the contract at once and is not kept.
import { describe, expect, it } from 'vitest';
import { OutputSplitter, splitOutput } from '../../../src/remote/program-output.js';
import { ContractError } from '../../../src/remote/schema.js';

const TAR = '{"event": "tar"}\n';

describe('OutputSplitter', () => {
  it('hands the tar stream of `harvest` to its receiver as it arrives', () => {
    const chunks: string[] = [];
    const splitter = new OutputSplitter('harvest', (chunk) => chunks.push(chunk.toString()));
    splitter.push(Buffer.from(`{"event": "probe"}\n{"event": "t`));
    splitter.push(Buffer.from(`ar"}\nDATA`));
    splitter.push(Buffer.from('MORE'));
    expect(chunks.join('')).toBe('DATAMORE');
    expect(splitter.output()).toEqual({
      events: [{ event: 'probe', body: { event: 'probe' } }],
      tarStarted: true,
    });
  });

  it.each(['token', 'context', 'sigterm'] as const)(
    'refuses a tar stream from `%s`, which sends none, instead of keeping it in memory',
    (program) => {
      const splitter = new OutputSplitter(program);
      expect(() => splitter.push(Buffer.from(`{"event": "token", "token": null}\n${TAR}`))).toThrow(
        ContractError,
      );
      expect(() => splitOutput(program, Buffer.from(`${TAR}${'x'.repeat(1024)}`))).toThrow(
        `the in-target program \`${program}\` broke its contract: \`tar\` should be absent (this program sends no data), got "a tar stream"`,
      );
    },
  );
});
