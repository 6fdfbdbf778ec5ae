import { defineAreaSuite } from './area-suite.ts';

defineAreaSuite('discovery', 'Discovery');
