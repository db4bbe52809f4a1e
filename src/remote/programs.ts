// The Python programs the action runs inside targets (and in the conversion container). Each is
// a real module of src/remote/pycov_harvest_remote (or the agent's shared, standard-library-only
// modules) and travels, with the modules it imports, as one compressed argument of
// `python -S -c <LOADER>`: nothing needs to exist in the image but a Python, and the exec request
// stays small (a Kubernetes exec carries its argv in the URL). `-S` keeps site-packages, and so
// every `.pth` hook (the agent's among them), out of these programs; the loader also sets
// PYCOV_HARVEST=0 for every process they start. docs/protocol.md ("Programs") is the contract.
import { deflateSync } from 'node:zlib';
import auth from '../../agent/pycov_harvest/auth.py';
import datafiles from '../../agent/pycov_harvest/datafiles.py';
import procfs from '../../agent/pycov_harvest/procfs.py';
import signames from '../../agent/pycov_harvest/signames.py';
import tarstream from '../../agent/pycov_harvest/tarstream.py';
import remoteInit from './pycov_harvest_remote/__init__.py';
import attach from './pycov_harvest_remote/attach.py';
import attachArch from './pycov_harvest_remote/attach_arch.py';
import attachElf from './pycov_harvest_remote/attach_elf.py';
import attachInject from './pycov_harvest_remote/attach_inject.py';
import attachPoint from './pycov_harvest_remote/attach_point.py';
import attachProgram from './pycov_harvest_remote/attach_program.py';
import attachPtrace from './pycov_harvest_remote/attach_ptrace.py';
import attachRemote from './pycov_harvest_remote/attach_remote.py';
import attachTarget from './pycov_harvest_remote/attach_target.py';
import attachWake from './pycov_harvest_remote/attach_wake.py';
import combine from './pycov_harvest_remote/combine.py';
import context from './pycov_harvest_remote/context.py';
import contextRelay from './pycov_harvest_remote/context_relay.py';
import connections from './pycov_harvest_remote/connections.py';
import contextMarks from './pycov_harvest_remote/context_marks.py';
import convert from './pycov_harvest_remote/convert.py';
import coverageInstall from './pycov_harvest_remote/coverage_install.py';
import diagnosis from './pycov_harvest_remote/diagnosis.py';
import forceQuit from './pycov_harvest_remote/force_quit.py';
import harvest from './pycov_harvest_remote/harvest.py';
import localHttp from './pycov_harvest_remote/local_http.py';
import output from './pycov_harvest_remote/output.py';
import pathmap from './pycov_harvest_remote/pathmap.py';
import processes from './pycov_harvest_remote/processes.py';
import projectConfig from './pycov_harvest_remote/project_config.py';
import projectPaths from './pycov_harvest_remote/project_paths.py';
import registry from './pycov_harvest_remote/registry.py';
import reporting from './pycov_harvest_remote/reporting.py';
import screen from './pycov_harvest_remote/screen.py';
import sharedAnalysis from './pycov_harvest_remote/shared_analysis.py';
import signalSave from './pycov_harvest_remote/signal_save.py';
import sigterm from './pycov_harvest_remote/sigterm.py';
import sockdiag from './pycov_harvest_remote/sockdiag.py';
import token from './pycov_harvest_remote/token.py';
import waiting from './pycov_harvest_remote/waiting.py';

/** Every module a program may import, by its Python name. */
export const MODULES: Readonly<Record<string, string>> = {
  // Only the agent's shared modules travel, never the agent itself.
  pycov_harvest: "# The agent's standard-library-only modules shared with these programs.\n",
  'pycov_harvest.auth': auth,
  'pycov_harvest.datafiles': datafiles,
  'pycov_harvest.procfs': procfs,
  'pycov_harvest.signames': signames,
  'pycov_harvest.tarstream': tarstream,
  pycov_harvest_remote: remoteInit,
  'pycov_harvest_remote.attach': attach,
  'pycov_harvest_remote.attach_arch': attachArch,
  'pycov_harvest_remote.attach_elf': attachElf,
  'pycov_harvest_remote.attach_inject': attachInject,
  'pycov_harvest_remote.attach_point': attachPoint,
  'pycov_harvest_remote.attach_program': attachProgram,
  'pycov_harvest_remote.attach_ptrace': attachPtrace,
  'pycov_harvest_remote.attach_remote': attachRemote,
  'pycov_harvest_remote.attach_target': attachTarget,
  'pycov_harvest_remote.attach_wake': attachWake,
  'pycov_harvest_remote.combine': combine,
  'pycov_harvest_remote.context': context,
  'pycov_harvest_remote.context_relay': contextRelay,
  'pycov_harvest_remote.connections': connections,
  'pycov_harvest_remote.context_marks': contextMarks,
  'pycov_harvest_remote.convert': convert,
  'pycov_harvest_remote.coverage_install': coverageInstall,
  'pycov_harvest_remote.diagnosis': diagnosis,
  'pycov_harvest_remote.force_quit': forceQuit,
  'pycov_harvest_remote.harvest': harvest,
  'pycov_harvest_remote.local_http': localHttp,
  'pycov_harvest_remote.output': output,
  'pycov_harvest_remote.pathmap': pathmap,
  'pycov_harvest_remote.processes': processes,
  'pycov_harvest_remote.project_config': projectConfig,
  'pycov_harvest_remote.project_paths': projectPaths,
  'pycov_harvest_remote.registry': registry,
  'pycov_harvest_remote.reporting': reporting,
  'pycov_harvest_remote.screen': screen,
  'pycov_harvest_remote.shared_analysis': sharedAnalysis,
  'pycov_harvest_remote.signal_save': signalSave,
  'pycov_harvest_remote.sigterm': sigterm,
  'pycov_harvest_remote.sockdiag': sockdiag,
  'pycov_harvest_remote.token': token,
  'pycov_harvest_remote.waiting': waiting,
};

export const PROGRAMS = {
  harvest: 'pycov_harvest_remote.harvest',
  sigterm: 'pycov_harvest_remote.sigterm',
  token: 'pycov_harvest_remote.token',
  convert: 'pycov_harvest_remote.convert',
  install: 'pycov_harvest_remote.coverage_install',
  context: 'pycov_harvest_remote.context',
  context_relay: 'pycov_harvest_remote.context_relay',
  attach: 'pycov_harvest_remote.attach',
} as const;

export type RemoteProgram = keyof typeof PROGRAMS;

const PACKAGES = ['pycov_harvest', 'pycov_harvest_remote'];

/**
 * Decodes the modules, registers them (packages included) in sys.modules, runs them in
 * dependency order, then the entry's `main` through `output.run`. Tracebacks show the source
 * (where the interpreter prints them through linecache, 3.13+): the sources go into linecache
 * only when one is printed, so that neither linecache (tokenize, re) nor base64 (standard input
 * is the usual transport) is imported on every start.
 */
export const LOADER = [
  'import json,os,sys,zlib',
  'os.environ["PYCOV_HARVEST"]="0"',
  'for k in ("COVERAGE_PROCESS_START","COVERAGE_PROCESS_CONFIG"):os.environ.pop(k,None)',
  'p=sys.argv.pop(1)',
  'b=json.loads(zlib.decompress(sys.stdin.buffer.read() if p=="-" else __import__("base64").urlsafe_b64decode(sys.stdin.buffer.readline().strip()+b"="*3) if p=="+" else __import__("base64").urlsafe_b64decode(p+"="*(-len(p)%4))))',
  'for n,s in b["m"]:',
  ' m=sys.modules.get(n) or type(sys)(n);m.__file__="<"+n.replace(".","/")+".py>";sys.modules[n]=m',
  ' if n in b["p"]:m.__path__=[]',
  ' a,_,c=n.rpartition(".")',
  ' if a:setattr(sys.modules[a],c,m)',
  'def h(*e):',
  ' import linecache',
  ' for n,s in b["m"]:f=sys.modules[n].__file__;linecache.cache[f]=(len(s),None,s.splitlines(True),f)',
  ' sys.__excepthook__(*e)',
  'sys.excepthook=h',
  'for n,s in b["m"]:exec(compile(s,sys.modules[n].__file__,"exec"),sys.modules[n].__dict__)',
  'sys.exit(sys.modules["pycov_harvest_remote.output"].run(sys.modules[b["e"]].main))',
].join('\n');

const IMPORT =
  /^[ \t]*(?:from[ \t]+(pycov_harvest(?:_remote)?)((?:\.\w+)?)[ \t]+import[ \t]+(\([\w\s,]+\)|[\w \t,]+)|import[ \t]+(pycov_harvest(?:_remote)?\.\w+))/gm;

/** The modules `name` imports directly (only ours; the standard library is there already). */
export function importsOf(name: string): string[] {
  const source = MODULES[name];
  if (source === undefined) throw new Error(`no Python module ${name} in the bundle`);
  const found = new Set<string>();
  for (const match of source.matchAll(IMPORT)) {
    const [, pkg, sub, names, plain] = match;
    if (plain !== undefined) {
      found.add(plain);
    } else if (pkg !== undefined && sub) {
      found.add(`${pkg}${sub}`);
    } else if (pkg !== undefined && names !== undefined) {
      for (const item of names.replace(/[()]/g, '').split(',')) {
        const module = `${pkg}.${item.trim().split(/\s+/)[0] ?? ''}`;
        if (MODULES[module] !== undefined) found.add(module);
      }
    }
  }
  for (const module of found) {
    if (MODULES[module] === undefined)
      throw new Error(`${name} imports ${module}, which is not in the bundle`);
  }
  return [...found];
}

/** The entry module and everything it imports, dependencies first, packages first of all. */
export function modulesOf(entry: string): string[] {
  const ordered: string[] = [];
  const visit = (name: string, path: readonly string[]): void => {
    if (ordered.includes(name)) return;
    if (path.includes(name)) throw new Error(`import cycle: ${[...path, name].join(' -> ')}`);
    for (const dependency of importsOf(name)) visit(dependency, [...path, name]);
    ordered.push(name);
  };
  visit('pycov_harvest_remote.output', []);
  visit(entry, []);
  const packages = PACKAGES.filter((pkg) => MODULES[pkg] !== undefined);
  return [...packages, ...ordered.filter((name) => !packages.includes(name))];
}

const payloads = new Map<RemoteProgram, Buffer>();

/** The program's modules as the loader reads them: JSON, deflated. */
export function payloadOf(program: RemoteProgram): Buffer {
  let payload = payloads.get(program);
  if (payload === undefined) {
    const entry = PROGRAMS[program];
    const modules = modulesOf(entry).map((name) => [name, MODULES[name] ?? '']);
    const json = JSON.stringify({ m: modules, p: PACKAGES, e: entry });
    payload = deflateSync(Buffer.from(json), { level: 9 });
    payloads.set(program, payload);
  }
  return payload;
}

/**
 * How the program travels: on standard input (the default: the exec request stays a few hundred
 * bytes), or inside argv as base64url where the transport cannot carry input (Kubernetes API
 * servers that only speak the v4 channel protocol), or as the first line of standard input
 * (`line`), for a program that reads the rest of its input itself (`context_relay`).
 */
export type Transport = 'stdin' | 'argv' | 'line';

export interface Invocation {
  readonly argv: readonly string[];
  readonly stdin?: Buffer;
  /** `line`: what to write first on the program's standard input. */
  readonly firstLine?: string;
}

/** Runs one program with the given interpreter; its arguments travel as one JSON object. */
export function invocation(
  python: string,
  program: RemoteProgram,
  args: object,
  transport: Transport = 'stdin',
): Invocation {
  const payload = payloadOf(program);
  const head = [python, '-S', '-c', LOADER];
  if (transport === 'line')
    return {
      argv: [...head, '+', JSON.stringify(args)],
      firstLine: `${payload.toString('base64url')}\n`,
    };
  return transport === 'stdin'
    ? { argv: [...head, '-', JSON.stringify(args)], stdin: payload }
    : { argv: [...head, payload.toString('base64url'), JSON.stringify(args)] };
}
