import { defineAreaSuite } from './area-suite.ts';

defineAreaSuite('login', 'Login through authentik');
