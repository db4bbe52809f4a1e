// Copies the data files out of a target: through the agent's `GET /data` (exec'd client), the
// remote pack program, or from outside the target (`docker cp`) when it has stopped.
import { extractFiles, parseTar, type ExtractedFile } from './extract.js';
import { dataFileEntryName } from './data-files.js';
import { jsonLines, programArgv } from './remote/programs.js';
import { agentPort, type FlushSettings } from './flush/methods.js';
import type { ProbeReport } from './flush/probe.js';
import { firstLine } from './targets/docker.js';
import { TargetGoneError, type Target } from './targets/target.js';

export interface CopyResult {
  readonly files: readonly ExtractedFile[];
  readonly via: 'agent' | 'pack' | 'copy';
}

interface Source {
  readonly via: CopyResult['via'];
  read(): Promise<Buffer>;
}

const COPY_TIMEOUT_MS = 120_000;

async function execTar(target: Target, argv: string[], maxBytes: number): Promise<Buffer> {
  const result = await target.exec(argv, {
    timeoutMs: COPY_TIMEOUT_MS,
    maxStdoutBytes: maxBytes + 1024 * 1024,
  });
  if (result.exitCode !== 0) {
    const message = jsonLines(result.stdout)[0]?.error ?? firstLine(result.stderr);
    throw new Error(`exit status ${result.exitCode}: ${String(message)}`);
  }
  return result.stdout;
}

export async function copyOut(
  target: Target,
  python: string | undefined,
  report: ProbeReport | undefined,
  settings: FlushSettings,
  destDir: string,
): Promise<CopyResult> {
  const running = (await target.isRunning?.()) ?? true;
  const sources: Source[] = [];
  if (running && python !== undefined) {
    const port = report ? agentPort(report, settings.agentPort) : undefined;
    if (port !== undefined && report?.agents.some((a) => typeof a.port === 'number')) {
      const args = { action: 'data', port, timeout: 30, data_dir: settings.dataDir };
      sources.push({
        via: 'agent',
        read: () => execTar(target, programArgv(python, 'http-flush', args), settings.maxBytes),
      });
    }
    const args = { data_dir: settings.dataDir };
    sources.push({
      via: 'pack',
      read: () => execTar(target, programArgv(python, 'pack', args), settings.maxBytes),
    });
  }
  const readDirectory = target.readDirectory?.bind(target);
  if (readDirectory !== undefined) {
    sources.push({ via: 'copy', read: () => readDirectory(settings.dataDir, settings.maxBytes) });
  }
  const failures: string[] = [];
  for (const source of sources) {
    let archive: Buffer;
    try {
      archive = await source.read();
    } catch (error) {
      if (error instanceof TargetGoneError) throw error;
      failures.push(`${source.via}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    // Unsafe archives are not retried another way: they are an error in their own right.
    const entries = parseTar(archive, settings.maxBytes);
    const files = await extractFiles(entries, destDir, (entry) =>
      entry.data.length > 0 ? dataFileEntryName(entry.name, settings.dataDir) : undefined,
    );
    return { files, via: source.via };
  }
  throw new Error(
    `cannot copy the data files out of ${target.label} (${failures.join('; ') || (running ? 'no way to read files' : 'the target has stopped')}); check \`data-dir\``,
  );
}
