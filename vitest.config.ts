import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests beside the code, and end-to-end suites that start real
// adb / Appium / mitmproxy / Redis processes against the virtual device. The e2e suites
// run one file at a time because they share the single adb server of the machine.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['product/**/*.test.ts', 'lab/**/*.test.ts', 'tooling/**/*.test.ts'],
          exclude: ['lab/e2e/**', 'node_modules/**', 'dist/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['lab/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
