// Lint config: typescript-eslint recommended rules on all our TypeScript; `any` needs a comment (style.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dashboards/console/dist/**', 'dist/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // L6: the console's "now" is the gateway's clock (dashboards/console/src/clock.ts), not this PC's.
    files: ['dashboards/console/src/**/*.ts'],
    ignores: ['dashboards/console/src/clock.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: "use now() from clock.ts: the gateway's time (L6)" }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "use new Date(now()) from clock.ts: the gateway's time (L6)" }],
    },
  },
);
