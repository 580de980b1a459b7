import { defineConfig } from 'vitest/config';

// Unit tests are pure; integration tests start their own moto_server on a free loopback port.
// The SDK's Node-version notice is the SDK's own policy, not a test result: off in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
export default defineConfig({
  test: {
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // Finds or provisions moto_server, cfn-lint (.venv/) and Chromium (test/setup/tools.ts).
          globalSetup: ['test/setup/tools.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
