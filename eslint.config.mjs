// ESLint: typescript-eslint's type-aware recommended rules, with the ones that catch real defects in this
// code base made errors (promises nobody awaits or handles, above all). Formatting is Prettier's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-artifacts/**', 'test/host/**', '**/*.mjs', '**/*.js', 'src/core/catalog/*.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // The core reads untyped YAML and JSON (the journal, oslo data) and narrows it by hand.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      'no-control-regex': 'off',
      // Fakes and adapters implement async interfaces without awaiting anything.
      '@typescript-eslint/require-await': 'off',
      // Its type information disagrees with tsc's here (it removed assertions tsc needs).
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
);
