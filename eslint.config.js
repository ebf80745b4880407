import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // .dynamics-hook/: deploy's backups of the code it replaced (someone else's JavaScript, not ours).
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.dynamics-hook/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: 'error',
      'no-console': 'off',
    },
  },
  {
    // Plain ES modules run by node (the installed bin): TypeScript does not check their globals.
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', URL: 'readonly' } },
  },
  {
    // Tool configs in CommonJS (dependency-cruiser reads .cjs).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } },
  },
);
