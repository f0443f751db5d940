import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['.android-sdk/**', 'dist/**', 'node_modules/**', 'captures/**', 'tooling/agents/dist/**', '.appium/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // The CLI, scripts and benchmarks talk to a terminal on purpose.
    files: ['product/cli/**', 'tooling/scripts/**', 'tooling/bench/**', 'lab/virtual-device/bin/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.test.ts', 'lab/e2e/**'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  // The rule between the three wings (docs/architecture.md). The product never depends on the
  // lab, except the two CLI commands that start it; the simulator sees only the product's core
  // and the contracts, so every e2e test holds the product against code it does not share; the
  // agent compiles against the contracts alone. Checked for static and dynamic imports.
  ...wingRule(['product/**/*.ts'], ['product/cli/commands/demo.ts', 'product/cli/commands/virtual-device.ts'], '(^|/)lab/', 'the product never imports the lab (only `consentry demo` and `consentry virtual-device` start it)'),
  ...wingRule(['lab/virtual-device/**/*.ts'], ['lab/virtual-device/**/*.test.ts', 'lab/virtual-device/**/test-support/**'], '(^|/)product/(?!core/|contracts/)', 'the simulator imports only product/core and product/contracts, never the product\'s adapters or parsers'),
  ...wingRule(['tooling/agents/**/*.ts'], ['tooling/agents/**/*.test.ts'], '(^|/)(lab/|product/(?!contracts/))', 'the agent compiles against product/contracts only'),
);

/** A block that forbids, in `files` but not in `ignores`, every import whose path matches `pattern`. */
function wingRule(files, ignores, pattern, message) {
  return [
    {
      files,
      ignores,
      rules: {
        'no-restricted-imports': ['error', { patterns: [{ regex: pattern, message }] }],
        'no-restricted-syntax': ['error', { selector: `ImportExpression[source.value=/${pattern.replace(/\//g, '\\/')}/]`, message }],
      },
    },
  ];
}
