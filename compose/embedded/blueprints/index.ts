/** The blueprint loader's public surface (what `compose/embedded/index.ts` re-exports). */
export * from './types.ts';
export { ExpressionError, parseMappingExpression, SUPPORTED_EXPRESSION_SUBSET, type MappingExpression, type MappingValue, type UserField } from './expression.ts';
export { parseDuration } from './values.ts';
export { loadBlueprint, parseBlueprint } from './loader.ts';
export { chooseTestUser, isInternalUser, type TestUserOptions } from './test-user.ts';
export { exportVersionUnknown, isExportFile } from './export.ts';
