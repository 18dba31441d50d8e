import { defineConfig } from 'vitest/config';

// Integration tests start real servers (influxd, aedes, Modbus TCP, chromium): run files one by one
// so two suites never fight over CPU on the 2-core machines, and give real parts time to start.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A failed browser test leaves what each open page showed (screenshot and text).
    setupFiles: ['test/setup/failure-evidence.ts'],
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.test-results/results.json' },
  },
});
