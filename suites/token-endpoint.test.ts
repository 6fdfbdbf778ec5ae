import { defineAreaSuite } from './area-suite.ts';

defineAreaSuite('token-endpoint', 'Token endpoint');
