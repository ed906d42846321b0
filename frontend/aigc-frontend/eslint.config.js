// ESLint for the web app: TypeScript, the rules of React hooks, and the import rules that keep the
// layers apart (replacing the old scripts/check-boundaries.mjs). `npm run lint` runs it after `tsc -b`.
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const features = readdirSync(new URL('./src/features', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/** Shared code flows one way: components/lib/config/i18n -> features -> app. */
const SHARED = ['./src/components', './src/lib', './src/config', './src/i18n'];

const boundaryZones = [
  // A feature never reaches into another feature; what they share lives in components/ or lib/.
  ...features.map((feature) => ({
    target: `./src/features/${feature}`,
    from: './src/features',
    except: [`./${feature}`],
    message: 'A feature does not import another feature: move what both need to src/components or src/lib.',
  })),
  {
    target: './src/features',
    from: './src/app',
    message: 'A feature does not import the app layer (router, providers, layout); the app imports features.',
  },
  ...SHARED.map((target) => ({
    target,
    from: ['./src/features', './src/app'],
    message: 'Shared code (components, lib, config, i18n) imports neither features nor the app layer.',
  })),
];

export default tseslint.config(
  { ignores: ['dist/', 'src/client/', 'playwright-report/', 'test-results/', 'node_modules/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    plugins: { 'import-x': importX, 'react-hooks': reactHooks },
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    settings: {
      // no-cycle follows imports into other files, which it can only parse and resolve knowing they are TypeScript.
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      // `_name` marks a value left out on purpose (a destructured field, an unused callback argument).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
  },
  {
    // Tests and their helpers set up whole pages, so they may import from any layer.
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/testing/**', 'src/**/__tests__/**'],
    rules: { 'import-x/no-restricted-paths': ['error', { zones: boundaryZones }] },
  },
  {
    files: ['*.{js,mjs,ts}', 'scripts/**/*.mjs', 'e2e/**/*.ts'],
    languageOptions: { globals: globals.node },
  },
);
