import { defineConfig } from 'vitest/config';

// The SDK warns about Node.js 20 once per process: silence it here, before the global setup
// (in this process) and the forked workers (which inherit the variable) load it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/**
 * One DynamoDB Local and one SES emulator serve the whole run (started in the global setup: the
 * JVM takes ~3 s, so never per test); each test file gets its own table name (setup-env).
 */
export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Generous: on a 2-core CI machine one DynamoDB Local serves every file at once.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup-env.ts'],
    // CI counts tests from the JSON file; the default reporter stays on screen.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
