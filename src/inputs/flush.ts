// The flush chain's inputs: `methods` and the save `signal`.
import type { FlushMethod } from './types.js';
import { InputError, parseChoiceList } from './parse.js';

/** Linux signal names a save signal may have (the standard ones a process can catch). */
const SAVE_SIGNALS = [
  'SIGUSR1',
  'SIGUSR2',
  'SIGHUP',
  'SIGWINCH',
  'SIGURG',
  'SIGPWR',
  'SIGIO',
  'SIGALRM',
  'SIGVTALRM',
  'SIGPROF',
  'SIGTTIN',
  'SIGTTOU',
  'SIGXCPU',
  'SIGXFSZ',
  'SIGPIPE',
] as const;

/** Signals that must never be the save signal, and why. */
const NOT_SAVE_SIGNALS: Record<string, string> = {
  SIGKILL: 'cannot be caught',
  SIGSTOP: 'cannot be caught',
  SIGTERM: 'is the `sigterm` method',
  SIGINT: 'makes servers quit (the `sigterm` method uses it to force a hanging shutdown)',
  SIGQUIT: 'makes servers quit',
  SIGTSTP: 'suspends the process',
  SIGCONT: 'resumes a suspended process',
  SIGCHLD: 'is how the kernel reports child processes',
  SIGABRT: 'aborts the process',
  SIGSEGV: 'reports a crash',
  SIGBUS: 'reports a crash',
  SIGFPE: 'reports a crash',
  SIGILL: 'reports a crash',
  SIGTRAP: 'is for debuggers',
  SIGSYS: 'reports a bad system call',
};

/** A save signal by name (`SIGUSR1`, also `USR1`); numbers differ between platforms, so no numbers. */
export function parseSignal(input: string, value: string): string {
  const upper = value.trim().toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  const why = NOT_SAVE_SIGNALS[name];
  if (why !== undefined) {
    throw new InputError(input, `is \`${value}\`, which ${why}`, 'use `SIGUSR1` or `SIGUSR2`');
  }
  if (!(SAVE_SIGNALS as readonly string[]).includes(name)) {
    throw new InputError(
      input,
      `is \`${value}\`, not a signal name`,
      'give a name such as `SIGUSR1` or `SIGUSR2` (numbers differ between platforms)',
    );
  }
  return name;
}
/** The flush chain; `sigterm` stops the service, so nothing can come after it. */
export function parseMethods(input: string, value: string): FlushMethod[] {
  const methods = parseChoiceList(input, value, ['http', 'signal', 'attach', 'sigterm'] as const);
  const at = methods.indexOf('sigterm');
  if (at >= 0 && at !== methods.length - 1) {
    throw new InputError(
      input,
      `is \`${value}\`, with \`sigterm\` before ${methods
        .slice(at + 1)
        .map((m) => `\`${m}\``)
        .join(', ')}`,
      'put `sigterm` last: it stops the service, so no method can run after it',
    );
  }
  const attach = methods.indexOf('attach');
  const before = methods.filter((m, i) => i > attach && (m === 'http' || m === 'signal'));
  if (attach >= 0 && before.length > 0) {
    throw new InputError(
      input,
      `is \`${value}\`, with \`attach\` before ${before.map((m) => `\`${m}\``).join(', ')}`,
      'put `attach` after `http` and `signal`: they run together in one exec, before `attach`',
    );
  }
  return methods;
}

/** An image reference for `attach-image` ('' for the target's own): never read as an option. */
export function parseAttachImage(input: string, value: string): string {
  const image = value.trim();
  if (image.startsWith('-') || /\s/.test(image)) {
    throw new InputError(
      input,
      `is \`${value}\`, not an image reference`,
      "give one image such as `python:3.12-slim@sha256:<digest>`, or leave it empty for the service's own image",
    );
  }
  return image;
}
