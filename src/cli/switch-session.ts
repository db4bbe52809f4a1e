// What `serve` holds between switches: the targets found once (and refreshed in the background),
// one relay per target kept running, and the last context, so that a switch is one line to each
// relay and one line back, every process still confirming it.
import {
  RouteCache,
  outcomeLine,
  switchTarget,
  type SwitchOutcome,
  type SwitchSettings,
} from '../harvest/switch.js';
import { Relay, RelayBrokenError, type ChannelAnswer } from '../harvest/switch-relay.js';
import type { Inputs } from '../inputs/types.js';
import { errorText } from '../shared/text.js';
import { STREAM_CLOSE_MS } from '../targets/exec-stream.js';
import type { Discovery, Target } from '../targets/target.js';

/**
 * How often the targets are listed again off the switch path: a rollout's new pod (or a new
 * container) is switched to the current context within this long of being listed, and a switch
 * never waits for `docker ps` or a pod LIST.
 */
export const REDISCOVER_MS = 2_000;

export type Discover = (inputs: Inputs, warn: (message: string) => void) => Promise<Discovery>;

/** One target's switch as serve answers it: with the relay's own time inside the target. */
export interface ServeOutcome extends SwitchOutcome {
  readonly insideMs?: number;
}

interface Entry {
  readonly target: Target;
  /** Undefined where no relay could be kept: each switch then goes over a route or one exec. */
  readonly relay: Relay | undefined;
}

export interface SwitchAnswer {
  readonly status: number;
  readonly payload: object;
}

export class SwitchSession {
  private entries = new Map<string, Entry>();
  private readonly cache = new RouteCache();
  private current = '';
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private refreshing = false;
  private readonly said = new Set<string>();
  private lastDiscovery: Discovery | undefined;
  private closed = false;

  private constructor(
    private readonly inputs: Inputs,
    private readonly log: (line: string) => void,
    private readonly discover: Discover,
    readonly settings: SwitchSettings,
  ) {}

  /** Finds the targets and opens their relays; then keeps looking for new and gone ones. */
  static async open(
    inputs: Inputs,
    log: (line: string) => void,
    discover: Discover,
    rediscoverMs = REDISCOVER_MS,
  ): Promise<SwitchSession> {
    const settings = {
      dataDir: inputs.dataDir,
      agentPort: inputs.agentPort,
      timeoutMs: inputs.flushTimeoutMs,
    };
    const session = new SwitchSession(inputs, log, discover, settings);
    try {
      const found = await session.list();
      for (const entry of await Promise.all(found.map((t) => session.entryFor(t))))
        session.entries.set(entry.target.id, entry);
    } catch (error) {
      session.once(`pycov-harvest: ${errorText(error)} (serve keeps looking)`);
    }
    session.timer = setInterval(() => void session.refresh(), rediscoverMs);
    session.timer.unref();
    return session;
  }

  /** One switch, after the ones before it: 200 when every target confirmed, else 502. */
  switchTo(name: string): Promise<SwitchAnswer> {
    const turn = this.queue.then(() => this.switchAll(name));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    // A switch still waiting on a silent relay must not hold the shutdown up for its whole bound.
    await Promise.race([
      this.queue,
      new Promise((done) => setTimeout(done, STREAM_CLOSE_MS).unref()),
    ]);
    await Promise.all([...this.entries.values()].map((e) => e.relay?.close()));
    this.entries.clear();
    await this.cache.closeAll();
  }

  private async switchAll(name: string): Promise<SwitchAnswer> {
    if (this.entries.size === 0) await this.applyRefresh(await this.list());
    const entries = [...this.entries.values()];
    if (entries.length === 0) {
      const d = this.lastDiscovery;
      const error = d === undefined ? 'no targets found' : `no ${d.searched} found; ${d.hint}`;
      return { status: 502, payload: { ok: false, context: name, targets: [], error } };
    }
    const outcomes = await Promise.all(entries.map((entry) => this.switchOne(entry, name)));
    const gone = outcomes.filter((o) => o === 'gone').length;
    const switched = outcomes.filter((o): o is ServeOutcome => o !== 'gone');
    this.current = name;
    const ok = switched.length > 0 && switched.every((o) => o.ok);
    const payload = {
      ok,
      context: name,
      targets: switched,
      ...(gone > 0 ? { gone } : {}),
      ...(switched.length === 0
        ? {
            error: `all ${gone} target(s) went away during the switch; check that the services run`,
          }
        : {}),
    };
    return { status: ok ? 200 : 502, payload };
  }

  /** One target's switch; 'gone' when its relay broke because the target is no longer listed. */
  private async switchOne(entry: Entry, name: string): Promise<ServeOutcome | 'gone'> {
    const { target, relay } = entry;
    if (relay === undefined)
      return this.logged(name, await switchTarget(target, name, this.settings, this.cache));
    const began = performance.now();
    const done = (answer: ChannelAnswer): ServeOutcome =>
      this.logged(name, {
        label: target.label,
        ms: Math.round(performance.now() - began),
        ...answer,
      });
    try {
      return done(await relay.switch(name, this.settings.timeoutMs));
    } catch (error) {
      if (!(error instanceof RelayBrokenError)) throw error;
      // The relay ended: the target may be gone (a rollout), or its session dropped. Look again.
      // The entry stays until it is replaced, so that the background listing never sees the
      // target as new meanwhile.
      const listed = await this.list().catch(() => undefined);
      await relay.close();
      if (listed !== undefined && !listed.some((t) => t.id === target.id)) {
        this.entries.delete(target.id);
        this.log(`${target.label}: gone (${error.message})`);
        return 'gone';
      }
      const again = await this.entryFor(target);
      this.entries.set(target.id, again);
      if (again.relay === undefined)
        return this.logged(name, await switchTarget(target, name, this.settings, this.cache));
      return done(await again.relay.switch(name, this.settings.timeoutMs));
    }
  }

  private logged<T extends SwitchOutcome>(name: string, outcome: T): T {
    this.log(outcomeLine(name, outcome));
    return outcome;
  }

  /** A relay for the target, or none, with the reason said once. */
  private async entryFor(target: Target): Promise<Entry> {
    if (target.openStream === undefined) return { target, relay: undefined };
    try {
      const relay = await Relay.open(target, this.settings.dataDir);
      this.log(`${target.label}: switches through a relay (exec'd once, ${relay.python})`);
      return { target, relay };
    } catch (error) {
      this.once(
        `pycov-harvest: ${errorText(error)}; each switch of ${target.label} goes over a route or one exec instead`,
      );
      return { target, relay: undefined };
    }
  }

  private async list(): Promise<readonly Target[]> {
    const discovery = await this.discover(this.inputs, (message) =>
      this.once(`pycov-harvest: ${message}`),
    );
    this.lastDiscovery = discovery;
    return discovery.targets;
  }

  /** Lists the targets off the switch path; new ones join at the current context. */
  private async refresh(): Promise<void> {
    if (this.refreshing || this.closed) return;
    this.refreshing = true;
    try {
      const listed = await this.list();
      const joining = await Promise.all(
        listed.filter((t) => !this.entries.has(t.id)).map((t) => this.entryFor(t)),
      );
      const step = this.queue.then(() => this.applyRefresh(listed, joining));
      this.queue = step.catch(() => undefined);
      await step;
    } catch (error) {
      this.once(
        `pycov-harvest: looking for targets failed (${errorText(error)}); serve keeps the ones it has`,
      );
    } finally {
      this.refreshing = false;
    }
  }

  /** Inside the queue: gone targets' relays closed, joiners switched to the current context. */
  private async applyRefresh(listed: readonly Target[], joining?: readonly Entry[]): Promise<void> {
    const ids = new Set(listed.map((t) => t.id));
    for (const [id, entry] of this.entries) {
      if (ids.has(id)) continue;
      this.entries.delete(id);
      this.log(`${entry.target.label}: gone`);
      await entry.relay?.close();
    }
    await this.cache.retain([...ids]);
    const fresh =
      joining ??
      (await Promise.all(
        listed.filter((t) => !this.entries.has(t.id)).map((t) => this.entryFor(t)),
      ));
    for (const entry of fresh) {
      if (this.closed || this.entries.has(entry.target.id)) {
        await entry.relay?.close();
        continue;
      }
      this.entries.set(entry.target.id, entry);
      if (this.current !== '') await this.switchOne(entry, this.current);
      this.log(`${entry.target.label}: joined`);
    }
  }

  private once(line: string): void {
    if (this.said.has(line)) return;
    this.said.add(line);
    this.log(line);
  }
}
