// The Python programs the action runs inside targets (and in the conversion container), each
// sent as `python -c <source> <json arguments>` so no file needs to exist in the image.
import common from './common.py';
import convert from './convert.py';
import httpFlush from './http_flush.py';
import pack from './pack.py';
import probe from './probe.py';
import sigtermFlush from './sigterm_flush.py';
import signalFlush from './signal_flush.py';

const sources = {
  probe,
  'http-flush': httpFlush,
  'signal-flush': signalFlush,
  'sigterm-flush': sigtermFlush,
  pack,
  convert,
} as const;

export type RemoteProgram = keyof typeof sources;

/** argv that runs one program with the given interpreter; args travel as one JSON argument. */
export function programArgv(python: string, program: RemoteProgram, args: object): string[] {
  return [python, '-c', `${common}\n${sources[program]}`, JSON.stringify(args)];
}

/** Parses the JSON lines a program printed, ignoring anything that is not a JSON object. */
export function jsonLines(stdout: Buffer | string): Record<string, unknown>[] {
  return stdout
    .toString()
    .split('\n')
    .flatMap((line) => {
      const trimmed = line.trim();
      if (!trimmed.startsWith('{')) return [];
      try {
        const value: unknown = JSON.parse(trimmed);
        return typeof value === 'object' && value !== null
          ? [value as Record<string, unknown>]
          : [];
      } catch {
        return [];
      }
    });
}
