import { defineAreaSuite } from './area-suite.ts';

defineAreaSuite('redirect-uri', 'Redirect URI');
