// Fail fast (CONTRACT §2): only the config library is loaded before the environment is validated.
// NestJS, TypeORM and ioredis are loaded by ./run-api after that, so a bad configuration exits in milliseconds
// without a connection attempted or a port opened.
import { loadEnvOrExit } from '@app/config/load-env';
import { compileCacheSettings } from '@app/config/node-runtime-env';
import { compileCacheDir, installCompileCache } from './compile-cache';

const env = loadEnvOrExit('api');
// The chunks ./run-api is bundled in (this directory's <id>.main.js) come from V8's code cache once one is written
// (Node's own on Node >= 22.1, ./compile-cache's on Node 20); it is written after ready, so it also holds the
// functions boot compiled lazily.
const compileCache = installCompileCache(__dirname, compileCacheDir(compileCacheSettings()));
void import('./run-api').then(({ runApi }) => runApi(env, { afterReady: () => compileCache.write() }));
