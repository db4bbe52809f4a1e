// The Playwright fixture: every test runs under its own coverage context, named by its title path
// (`items.spec.mjs > items > calls 2 even`), in every agent process of the services under test,
// so pycov-harvest's reports say which test ran which line.
//
//   import { test, expect } from '@pycov-harvest/playwright';
//
// Off unless told where serve is: the `pycovHarvest` option (test.use or the config's `use`), or
// PYCOV_HARVEST_SERVE_URL (a running serve), or PYCOV_HARVEST_CLI with PYCOV_HARVEST_SERVE_ARGS
// (each worker starts serve and stops it when the worker ends).
import { test as base, expect } from '@playwright/test';
import { Client, fromEnv, start } from './client.mjs';

export { expect };
export { Client, start, fromEnv, SwitchError, StartError } from './client.mjs';

/** The title path as the context name: file, describe blocks, test. */
export const contextName = (testInfo) => testInfo.titlePath.join(' > ');

export const test = base.extend({
  pycovHarvest: [undefined, { scope: 'worker', option: true }],

  pycovHarvestClient: [
    async ({ pycovHarvest }, use, workerInfo) => {
      let client;
      if (pycovHarvest?.url) client = new Client(pycovHarvest.url, pycovHarvest);
      else if (pycovHarvest?.cli || pycovHarvest?.args) client = await start(pycovHarvest);
      else client = await fromEnv(pycovHarvest ?? {});
      if (client !== undefined && workerInfo.config.workers > 1) {
        await client.close();
        throw new Error(
          `pycov-harvest: a context is a time window of each service process, so tests of ${workerInfo.config.workers} workers would share it; run with \`--workers=1\` (or \`workers: 1\` in the config)`,
        );
      }
      await use(client);
      await client?.close();
    },
    { scope: 'worker' },
  ],

  pycovHarvestContext: [
    async ({ pycovHarvestClient }, use, testInfo) => {
      if (pycovHarvestClient === undefined) return use(undefined);
      const name = contextName(testInfo);
      const targets = await pycovHarvestClient.switch(name);
      // In every reporter's output: which targets and how many processes confirmed the switch.
      testInfo.annotations.push({
        type: 'pycov-harvest',
        description: `context ${JSON.stringify(name)} confirmed by ${targets.map((t) => `${t.label}: ${t.processes} process(es)`).join(', ')}`,
      });
      await use(name);
      await pycovHarvestClient.clear();
    },
    { auto: true },
  ],
});
