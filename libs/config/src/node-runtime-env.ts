/**
 * Node-level settings the service honours without validating them as configuration: the start-up code cache's
 * location and switch, under the names Node 22 reads for its own cache. Read here, where the environment is read.
 */
export interface CompileCacheSettings {
  NODE_COMPILE_CACHE?: string;
  NODE_DISABLE_COMPILE_CACHE?: string;
}

export function compileCacheSettings(env: NodeJS.ProcessEnv = process.env): CompileCacheSettings {
  return { NODE_COMPILE_CACHE: env.NODE_COMPILE_CACHE, NODE_DISABLE_COMPILE_CACHE: env.NODE_DISABLE_COMPILE_CACHE };
}
