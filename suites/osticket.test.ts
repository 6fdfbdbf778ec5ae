import { defineAreaSuite } from './area-suite.ts';

defineAreaSuite('osticket', 'osTicket server');
