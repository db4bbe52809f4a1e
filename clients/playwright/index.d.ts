import type {
  TestInfo,
  TestType,
  PlaywrightTestArgs,
  PlaywrightTestOptions,
  PlaywrightWorkerArgs,
  PlaywrightWorkerOptions,
} from '@playwright/test';
import type { Client, StartOptions } from './client.js';

export { expect } from '@playwright/test';
export * from './client.js';

export interface PycovHarvestOptions extends StartOptions {
  /** A serve started elsewhere, e.g. http://127.0.0.1:9898/context. */
  readonly url?: string;
}

export declare function contextName(testInfo: TestInfo): string;

export declare const test: TestType<
  PlaywrightTestArgs & PlaywrightTestOptions & { pycovHarvestContext: string | undefined },
  PlaywrightWorkerArgs &
    PlaywrightWorkerOptions & {
      pycovHarvest: PycovHarvestOptions | undefined;
      pycovHarvestClient: Client | undefined;
    }
>;
