/**
 * Models a blueprint may contain that the reference provider accepts without modelling them (the guide's blueprint
 * names the self-signed certificate and the default flows only through !Find).
 */
import type { ModelFamily } from '../build.ts';

export const ignoredFamily: ModelFamily = {
  models: ['authentik_blueprints.metaapplyblueprint', 'authentik_crypto.certificatekeypair', 'authentik_flows.flow', 'authentik_core.token'],
  apply() {},
};
