// The bytes all targets of a run may write to the runner together (MAX_BYTES_ALL_TARGETS): each
// stream charges its files as their headers arrive and gives back what it does not keep.
import { UnsafeArchiveError } from './tar-format.js';

export class ByteBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  /** Takes `bytes`, or refuses the entry that would pass the bound (naming it). */
  take(bytes: number, what: string): void {
    if (this.used + bytes > this.limit)
      throw new UnsafeArchiveError(
        `${what} would take the data of all targets past ${this.limit} bytes, the bound of one run`,
      );
    this.used += bytes;
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}
