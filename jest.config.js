/** Unit specs live beside the code (*.spec.ts); end-to-end specs in test/ (*.e2e-spec.ts). */
const aliases = {};
for (const lib of ['common', 'config', 'database', 'geo', 'identity', 'org', 'catalog', 'orders', 'dispatch', 'queue', 'rating', 'audit', 'beneficiaries', 'observability', 'outbox', 'notifications', 'care', 'webhooks', 'open311', 'imports', 'record']) {
  aliases[`^@xinyuan/${lib}$`] = `<rootDir>/libs/${lib}/src`;
}
// a Nest-free deep import that unit specs can load (the index of @xinyuan/common pulls in NestJS)
aliases['^@xinyuan/common/prng$'] = '<rootDir>/libs/common/src/prng';
aliases['^@xinyuan/common/local-time$'] = '<rootDir>/libs/common/src/local-time';
aliases['^@xinyuan/common/calendar$'] = '<rootDir>/libs/common/src/calendar';
// plain files of the care and beneficiaries contexts that other contexts use without loading their Nest modules
aliases['^@xinyuan/care/(.*)$'] = '<rootDir>/libs/care/src/$1';
aliases['^@xinyuan/beneficiaries/(.*)$'] = '<rootDir>/libs/beneficiaries/src/$1';
module.exports = {
  rootDir: '.',
  moduleFileExtensions: ['js', 'json', 'ts'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // the front ends have their own packages and toolchains (apps/console, apps/mobile)
  modulePathIgnorePatterns: ['<rootDir>/apps/console/', '<rootDir>/apps/mobile/', '<rootDir>/dist/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true, diagnostics: false }] },
  moduleNameMapper: aliases,
  // each end-to-end suite runs in a database of its own, cloned from the migrated template
  testEnvironment: '<rootDir>/test/support/suite-environment.ts',
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
};
