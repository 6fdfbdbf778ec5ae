import { defineAreaSuite } from './area-suite.ts';

defineAreaSuite('scopes', 'Scopes');
