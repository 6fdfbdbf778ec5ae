/**
 * The model registry: which module handles which blueprint model (authentik/blueprints/v1/importer.py looks a model up
 * in Django's app registry, `registry.get_model(app_label, model_name)`; here each model family is one module under
 * models/). Adding a model family is adding a module that exports a ModelFamily (build.ts) and listing it here.
 */
import type { ModelFamily } from './build.ts';
import { brandFamily } from './models/brands.ts';
import { coreFamily } from './models/core.ts';
import { cryptoFamily } from './models/crypto.ts';
import { deviceFamily } from './models/devices.ts';
import { flowFamily } from './models/flows.ts';
import { ignoredFamily, isKnownModel } from './models/ignored.ts';
import { oauth2ProviderFamily } from './models/oauth2-provider.ts';
import { isOtherPolicyModel, policyFamily } from './models/policies.ts';
import { scopeMappingFamily } from './models/scope-mappings.ts';
import { isOtherStageModel, stageFamily } from './models/stages.ts';

/** Every model family. */
export const FAMILIES: readonly ModelFamily[] = [
  scopeMappingFamily, oauth2ProviderFamily, coreFamily, policyFamily, flowFamily, stageFamily, deviceFamily, brandFamily, cryptoFamily, ignoredFamily,
];

const BY_MODEL = new Map<string, ModelFamily>();
for (const family of FAMILIES) for (const model of family.models) BY_MODEL.set(model, family);

/**
 * The family that handles a model: its own family; for other stage and policy types the stage and policy families
 * (they load and are named when used); for any other model of an authentik app the ignored family; else undefined.
 */
export function familyFor(model: string): ModelFamily | undefined {
  const own = BY_MODEL.get(model);
  if (own) return own;
  if (isOtherStageModel(model)) return stageFamily;
  if (isOtherPolicyModel(model)) return policyFamily;
  return isKnownModel(model) ? ignoredFamily : undefined;
}
