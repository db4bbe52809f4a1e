// Values that must never show in a log (agent tokens). The action masks them in the runner's log
// (`core.setSecret`); the CLI, whose output a harness may capture anywhere, prints no mask
// command, and since nothing prints a token, nothing else is needed there.
let mask: (value: string) => void = () => undefined;

/** Installs how secrets are masked for the rest of the process (the action: `core.setSecret`). */
export function maskSecretsWith(masker: (value: string) => void): void {
  mask = masker;
}

/** Masks `value` where the process masks secrets, and returns it. */
export function secret(value: string): string {
  if (value !== '') mask(value);
  return value;
}
