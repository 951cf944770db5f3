import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';


/**
 * The library's layers point one way: model ← definition ← engine ← the coordination styles
 * (orchestration, choreography: plug-ins beside each other); ports ← adapters. These rules
 * name what each folder of `libs/saga-core/src` must not import.
 */
const CORE = 'libs/saga-core/src';
const ADAPTERS = ['**/persistence/typeorm', '**/persistence/typeorm/*', '**/transport/rabbitmq', '**/transport/rabbitmq/*'];
const STYLES = ['**/orchestration/*', '**/choreography/*'];
const OUTSIDE_LIB = ['**/apps/**', '**/test/**', '**/scripts/**', '@app/platform', '@app/platform/*', '@app/trip-api', '@app/trip-api/*', '@app/saga-core', '@app/saga-core/*'];
const layer = (folders, forbidden, message) => ({
  files: folders.map((folder) => `${CORE}/${folder}/**/*.ts`),
  ignores: [`${CORE}/**/*.spec.ts`],
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ group: [...OUTSIDE_LIB, ...forbidden], message }] }],
  },
});
const layering = [
  layer(['**'], [], 'the library imports nothing of the apps, the tests, the scripts or the other libs'),
  layer(['model'], ['**/engine/*', '**/definition/*', '**/persistence/*', '**/messaging/*', '**/faults/*', '**/participant/*', '**/dashboard/*', ...STYLES, ...ADAPTERS], 'model/ is the bottom layer: it imports only model/, errors/ and the message formats'),
  layer(['definition'], ['**/engine/*', '**/persistence/*', '**/messaging/*', '**/faults/*', '**/participant/*', '**/dashboard/*', ...STYLES, ...ADAPTERS], 'definition/ (the DSL) sits on model/ only'),
  layer(['engine'], ['**/faults/*', '**/participant/*', '**/dashboard/*', '**/bootstrap/*', ...STYLES, ...ADAPTERS], 'the engine drives styles through SagaMachine and ports, never adapters, faults or a style'),
  layer(['orchestration'], ['**/engine/*', '**/choreography/*', '**/faults/*', ...ADAPTERS], 'orchestration is a plug-in: model and definition only'),
  layer(['participant'], ['**/engine/*', '**/dashboard/*', ...STYLES, ...ADAPTERS], 'the participant kit runs over the inbox, outbox and transport ports, never an adapter'),
  layer(['kit'], ['**/engine/*', '**/orchestration/*', '**/dashboard/*', '**/faults/*', ...ADAPTERS], 'the participant kit sits on the definitions, the participant runtime and the choreography\'s handler API, never the engine or an adapter'),
  layer(['choreography'], ['**/engine/*', '**/orchestration/*', '**/dashboard/*', ...ADAPTERS], 'choreography is a plug-in beside orchestration: model, definition, ports and the kit'),
  layer(['persistence'], ['**/engine/*', '**/faults/*', ...STYLES], 'the persistence port and its adapters know the model, not the engine'),
  layer(['messaging', 'transport'], ['**/engine/*', '**/faults/*', ...STYLES], 'messaging and transport know the model, not the engine, a style or the faults'),
];

export default tseslint.config(
  { ignores: ['dist/**', 'libs/*/dist/**', 'node_modules/**', 'reports/**', 'coverage/**', '*.config.js', 'eslint.config.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...layering,
  {
    // Browser modules of the dashboard: type-checked by tsconfig.dashboard.json, not here.
    files: ['libs/saga-core/src/dashboard/assets/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    rules: { ...tseslint.configs.disableTypeChecked.rules, 'no-undef': 'off' },
  },
  {
    files: ['scripts/**/*.js'],
    languageOptions: { globals: { require: 'readonly', process: 'readonly', module: 'writable', __dirname: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
