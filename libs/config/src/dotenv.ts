import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import type { RawEnv } from './validate-env';

export interface DotenvEnvironment {
  /** The real environment over the `.env` file's values: a variable set in both keeps its real value. */
  raw: RawEnv;
  /** The file read, when there was one. */
  file?: string;
  /** How many of its variables were used (not overridden by the real environment). */
  used: number;
  /** One line per malformed line or unreadable file; never the line's content (it may hold a secret). */
  errors: string[];
}

const ASSIGNMENT = /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=(.*)$/;
const QUOTES = ['"', "'", '`'];

/**
 * `.env` in `cwd` (what `cp .env.example .env` creates, as `@nestjs/config` users expect), under the real
 * environment, which always wins. No file is no error. Parsed by Node's own `util.parseEnv`; because that parser
 * silently glues a line without `=` onto the next variable's name, each line is checked first.
 */
export function environmentWithDotenv(real: RawEnv, cwd: string): DotenvEnvironment {
  const file = join(cwd, '.env');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { raw: real, used: 0, errors: [] };
    return { raw: real, file, used: 0, errors: [`.env: cannot be read (${code ?? 'error'}): ${file}`] };
  }
  const bad = malformedLines(text);
  const errors = bad.map((n) => `.env line ${n}: expected NAME=value (a comment starts with #) in ${file}`);
  // The well-formed lines still count, so the rest of the configuration is checked as it would be used.
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const fromFile = parseEnv(lines.map((l, i) => (bad.includes(i + 1) ? '' : l)).join('\n')) as RawEnv;
  const raw: RawEnv = { ...fromFile, ...real };
  const used = Object.keys(fromFile).filter((k) => real[k] === undefined).length;
  return { raw, file, used, errors };
}

/** 1-based numbers of the lines that are neither blank, a comment, an assignment nor inside a quoted value. */
export function malformedLines(text: string): number[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const bad: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const m = ASSIGNMENT.exec(line);
    if (!m) {
      bad.push(i + 1);
      continue;
    }
    // A quoted value may run over several lines: skip to its closing quote, when there is one.
    const value = m[1].trimStart();
    const quote = QUOTES.find((q) => value.startsWith(q));
    if (quote && !value.slice(1).includes(quote)) {
      const close = lines.findIndex((l, j) => j > i && l.includes(quote));
      if (close !== -1) i = close;
    }
  }
  return bad;
}
