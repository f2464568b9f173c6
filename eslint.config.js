// @ts-check
import { builtinModules } from 'node:module';
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'data/', 'test-results/', 'node_modules/', 'bench/results/', 'bench/**/*.lua'] },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // `const { secret, ...rest } = x` is how a field is left out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    // keycard/client runs in browsers: fetch only, nothing of Node (tsconfig.client.json checks the types too).
    files: ['src/client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: builtinModules.map((name) => ({
            name,
            message: 'keycard/client must not use Node modules.',
          })),
          patterns: [
            { group: ['node:*'], message: 'keycard/client must not use Node modules.' },
            // Types (the server's error codes) are erased at compile time; code from outside would ship with it.
            { group: ['../*'], allowTypeImports: true, message: 'keycard/client imports only itself.' },
          ],
        },
      ],
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  {
    // The account page's script: plain JavaScript run by the browser as it is served (no build step).
    files: ['public/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'module',
      globals: { document: 'readonly', FormData: 'readonly' },
    },
  },
);
