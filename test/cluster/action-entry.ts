// The action's entry point with the Kubernetes discoverer plugged in, for as long as
// src/targets/discover.ts does not register it itself (see test/cluster/action.ts).
import { run } from '../../src/main.js';
import { discoverers } from '../../src/targets/discover.js';
import { discoverPods } from '../../src/targets/kubernetes.js';

discoverers.kubernetes = discoverPods;
await run();
