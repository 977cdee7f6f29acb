import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { version as packageVersion } from '../../../package.json';

export interface BuildInfo {
  version: string;
  git_sha: string;
  build_time: string;
}

/**
 * What `scripts/write-build-info.js` wrote into `dist/build-info.json` at build time. The bundle lives at
 * `dist/apps/api/main.js`, so the file is looked for in the directories above the entry script (and under
 * `dist/` of the working directory); running from sources (tests, ts-node) it is usually absent: the version
 * then comes from package.json (inlined by the bundler) and the rest is "unknown".
 */
export function readBuildInfo(entry: string | undefined = require.main?.filename, cwd: string = process.cwd()): BuildInfo {
  const fallback: BuildInfo = { version: packageVersion, git_sha: 'unknown', build_time: 'unknown' };
  for (const file of candidates(entry, cwd)) {
    if (!existsSync(file)) continue;
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<BuildInfo>;
      return {
        version: typeof parsed.version === 'string' ? parsed.version : fallback.version,
        git_sha: typeof parsed.git_sha === 'string' ? parsed.git_sha : 'unknown',
        build_time: typeof parsed.build_time === 'string' ? parsed.build_time : 'unknown',
      };
    } catch {
      /* unreadable or not JSON: try the next place, then fall back */
    }
  }
  return fallback;
}

function candidates(entry: string | undefined, cwd: string): string[] {
  const out: string[] = [];
  if (entry) {
    let dir = dirname(entry);
    for (let i = 0; i < 4; i += 1) {
      out.push(join(dir, 'build-info.json'));
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  out.push(join(cwd, 'dist', 'build-info.json'));
  return out;
}
