// Lint: ESLint's recommended rules and typescript-eslint's recommended rules (syntax only, no type information, so
// the lint stays a few seconds; `tsc --noEmit` in `npm test` does the type checking). Run by `npm run lint` and
// `npm test`. Formatting is prettier's job (`.prettierrc.json`), checked by `npm run lint` too.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'cdktf.out/', 'coverage/', 'docs/', 'bench/.tmp/', '.venv/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      // Unused arguments are part of documented callback shapes; unused locals are tsc's noUnusedLocals.
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    // Tests read synthesized Terraform JSON, whose shape is the provider's, not ours; they match aligned text
    // output (runs of spaces) and terminal escapes, and load modules in child-process probes with require().
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      'no-regex-spaces': 'off',
      'no-control-regex': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        __filename: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
