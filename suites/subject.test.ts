import { defineAreaSuite } from './area-suite.ts';

defineAreaSuite('subject', 'Email-based subject');
