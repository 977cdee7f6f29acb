const g = globalThis as unknown as { __sgCleanup?: Array<() => Promise<void>> };

export default async function globalTeardown(): Promise<void> {
  for (const step of g.__sgCleanup ?? []) {
    await step().catch((e: unknown) => process.stderr.write(`e2e teardown: ${String(e)}\n`));
  }
}
