/** Two tiers: pure unit specs beside the code, and tests under test/ against the real servers. */
const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: {
    '^.+\\.ts$': 'ts-jest',
    // The one dependency published as ES modules only (content-disposition 3, of
    // @fastify/static, which the OpenAPI page needs on Fastify): compiled to CommonJS here,
    // as Node.js itself loads it with require().
    '/content-disposition/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!.*content-disposition/)'],
  moduleNameMapper: {
    '^@app/saga-core(|/.*)$': '<rootDir>/libs/saga-core/src$1',
    '^@app/trip-api$': '<rootDir>/libs/trip-api/src',
    '^@app/platform$': '<rootDir>/libs/platform/src',
  },
  testEnvironment: 'node',
};

module.exports = {
  maxWorkers: 2,
  testTimeout: 60000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      rootDir: __dirname,
      testMatch: ['<rootDir>/{apps,libs,scripts}/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
    },
  ],
};
