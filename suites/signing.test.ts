import { defineAreaSuite } from './area-suite.ts';

defineAreaSuite('signing', 'Signing');
