import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The repository root. */
export const REPO = path.resolve(__dirname, '..', '..');

/**
 * Copies the shipped `environments/` into a fresh temporary directory and applies edits: each entry maps a
 * file name to its new full text (or `null` to delete it). Returns the temporary environments directory.
 */
export function envDir(edits: Record<string, string | null> = {}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-env-'));
  const dir = path.join(root, 'environments');
  fs.cpSync(path.join(REPO, 'environments'), dir, { recursive: true });
  for (const [file, text] of Object.entries(edits)) {
    if (text === null) fs.rmSync(path.join(dir, file));
    else fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** The text of a shipped values file. */
export function shipped(file: string): string {
  return fs.readFileSync(path.join(REPO, 'environments', file), 'utf8');
}

/** The shipped file with `from` replaced by `to` (fails loudly when `from` is absent, so edits never silently no-op). */
export function edited(file: string, from: string | RegExp, to: string): string {
  const text = shipped(file);
  const out = text.replace(from, to);
  if (out === text) throw new Error(`test fixture: ${String(from)} not found in ${file}`);
  return out;
}

/** The shipped file with the value at `keyPath` set (or deleted, for `undefined`), comments kept. */
export function withValue(file: string, keyPath: Array<string | number>, value: unknown): string {
  const { parseDocument } = require('yaml') as typeof import('yaml');
  const doc = parseDocument(shipped(file));
  if (value === undefined) doc.deleteIn(keyPath);
  else doc.setIn(keyPath, value);
  return doc.toString();
}
