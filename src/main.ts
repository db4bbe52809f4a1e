import * as core from '@actions/core';

/** The action's entry point: every failure below surfaces here, as one failed step. */
export async function run(): Promise<void> {
  try {
    throw new Error('pycov-harvest: pipeline not assembled yet');
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}
