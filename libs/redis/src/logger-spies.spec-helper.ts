import { Logger } from '@nestjs/common';

/**
 * For specs of what RedisBreaker's users log: Nest's Logger warn and log, silenced and recorded, restored after each
 * test. Call inside a describe; read `spies.warn` / `spies.log` in the tests.
 */
export function spyOnLoggerEachTest(): { warn: jest.SpyInstance; log: jest.SpyInstance } {
  const spies = {} as { warn: jest.SpyInstance; log: jest.SpyInstance };
  beforeEach(() => {
    spies.warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    spies.log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());
  return spies;
}
