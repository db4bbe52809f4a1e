// A data directory read from outside its target (`docker cp <id>:<dir>/. -`): a stopped
// container's files, checked entry by entry like every other stream (links, devices and FIFOs
// a target planted there are skipped and named).
import type { Target } from '../targets/target.js';
import { DataReceiver, refusedData, type CopyBounds, type ReceivedFiles } from './archive.js';
import { PACK_OVERHEAD_BYTES } from './settings.js';

/** The data directory read from outside the target (`docker cp`), streamed to disk. */
export async function copyFromOutside(
  target: Target,
  settings: CopyBounds & { readonly dataDir: string },
  destDir: string,
): Promise<ReceivedFiles> {
  if (target.copyFromOutside === undefined)
    throw new Error(`${target.label}: its files cannot be read from outside`);
  const receiver = new DataReceiver(destDir, settings, target.label, 'copy', settings.dataDir);
  try {
    await target.copyFromOutside(
      settings.dataDir,
      settings.maxBytes + PACK_OVERHEAD_BYTES,
      (chunk) => receiver.push(chunk),
    );
  } catch (error) {
    receiver.discard();
    throw error;
  }
  try {
    return receiver.finish();
  } catch (error) {
    throw refusedData(error, 'the copy of the data directory');
  }
}
