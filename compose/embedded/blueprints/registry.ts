/**
 * The model registry: which module handles which blueprint model (authentik/blueprints/v1/importer.py looks a model up
 * in Django's app registry, `registry.get_model(app_label, model_name)`; here each model family is one module under
 * models/). Adding a model family is adding a module that exports a ModelFamily (build.ts) and listing it here.
 */
import type { ModelFamily } from './build.ts';
import { coreFamily } from './models/core.ts';
import { ignoredFamily } from './models/ignored.ts';
import { oauth2ProviderFamily } from './models/oauth2-provider.ts';
import { policyFamily } from './models/policies.ts';
import { scopeMappingFamily } from './models/scope-mappings.ts';

/** Every model family. */
export const FAMILIES: readonly ModelFamily[] = [scopeMappingFamily, oauth2ProviderFamily, coreFamily, policyFamily, ignoredFamily];

const BY_MODEL = new Map<string, ModelFamily>();
for (const family of FAMILIES) for (const model of family.models) BY_MODEL.set(model, family);

/** The family that handles a model, or undefined. */
export function familyFor(model: string): ModelFamily | undefined {
  return BY_MODEL.get(model);
}
