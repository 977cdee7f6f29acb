// Fail fast (CONTRACT §2): only the config library is loaded before the environment is validated.
// NestJS, TypeORM and ioredis are loaded by ./run-api after that, so a bad configuration exits in milliseconds
// without a connection attempted or a port opened.
import { loadEnvOrExit } from '@app/config/load-env';

const env = loadEnvOrExit('api');
void import('./run-api').then(({ runApi }) => runApi(env));
