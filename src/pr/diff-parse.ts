/** The lines a `git diff --unified=0` adds, per file of the new side, parsed with jsdiff. */
import { parsePatch } from 'diff';

export type ChangeKind = 'added' | 'deleted' | 'renamed' | 'modified';

export interface FileChange {
  readonly kind: ChangeKind;
  /** Repository-relative path on the base side; undefined for an added file. */
  readonly oldPath: string | undefined;
  /** Repository-relative path on the head side; undefined for a deleted file. */
  readonly newPath: string | undefined;
  /** Line numbers in the head version that the diff adds (a changed line is removed and added). */
  readonly addedLines: readonly number[];
}

const NULL_PATH = '/dev/null';

/** A path as git writes it in a `---`/`+++` or `diff --git` header, without the a/ b/ prefix. */
function pathOf(name: string | undefined, prefix: 'a/' | 'b/'): string | undefined {
  if (name === undefined || name === NULL_PATH) return undefined;
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/**
 * Parses the output of `git diff --unified=0 --find-renames --src-prefix=a/ --dst-prefix=b/`.
 * Binary files and mode-only changes yield no added lines; a deleted file yields none either.
 */
export function parseGitDiff(text: string): FileChange[] {
  return parsePatch(text).flatMap((patch): FileChange[] => {
    const oldPath = pathOf(patch.oldFileName, 'a/');
    const newPath = pathOf(patch.newFileName, 'b/');
    // jsdiff reads an empty diff as one patch that names no file.
    if (oldPath === undefined && newPath === undefined) return [];
    const kind: ChangeKind =
      patch.isCreate === true || oldPath === undefined
        ? 'added'
        : patch.isDelete === true || newPath === undefined
          ? 'deleted'
          : patch.isRename === true || oldPath !== newPath
            ? 'renamed'
            : 'modified';
    const addedLines: number[] = [];
    if (kind !== 'deleted') {
      for (const hunk of patch.hunks) {
        let line = hunk.newStart;
        for (const text of hunk.lines) {
          if (text.startsWith('+')) addedLines.push(line++);
          else if (text.startsWith(' ')) line++;
          // '-' lines and "\ No newline at end of file" do not exist on the new side.
        }
      }
    }
    return [
      {
        kind,
        oldPath: kind === 'added' ? undefined : oldPath,
        newPath: kind === 'deleted' ? undefined : newPath,
        addedLines,
      },
    ];
  });
}
