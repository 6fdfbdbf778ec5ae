/**
 * What makes an `ak export_blueprint` file different from a blueprint someone wrote (issue 11 item 8), and how the
 * loader reads it so that the replay is the install the export came from.
 *
 * - It says what it is: `metadata.labels["blueprints.goauthentik.io/generated"]: "true"` (exporter.py
 *   Exporter.export, LABEL_AUTHENTIK_GENERATED in authentik/blueprints/v1/labels.py). The flow exporter of the admin
 *   interface writes the same label.
 * - It is a snapshot of the database, not a script: every object is identified by its primary key and refers to
 *   others by primary key (common.py BlueprintEntry.from_model), in the exporter's model order (apps.get_models(),
 *   so a stage binding comes before the stage it binds and an application before its provider). authentik applies
 *   it top to bottom into the database it came from, where every referenced object already exists; the replay
 *   gets the same effect by applying a referenced entry first when a reference reaches it (build.ts byPkOf).
 * - Fields equal to their serializer field's initial value are left out (common.py get_attrs:
 *   `if _field.get_initial() == data.get(field_name)`: pop). Django REST framework's initial values are False for a
 *   BooleanField, "" for a CharField and [] for a ListField or a many-related field, so a missing `is_active` is an
 *   inactive user and a missing `re_evaluate_policies` is False, not the model's default. EXPORT_OMITTED puts those
 *   values back for the fields whose model default is another one (the only fields where it matters).
 * - Read-only and write-only fields are absent: `managed` of the scope mappings (ManagedSerializer, read-only),
 *   passwords (core/api/users.py), key material (crypto/api.py), TOTP device owners and secrets
 *   (stages/authenticator_totp/api.py: name and pk only).
 */
import { obj } from './values.ts';

export const GENERATED_LABEL = 'blueprints.goauthentik.io/generated';

/** True for the output of `ak export_blueprint` (and of the admin interface's flow export). */
export function isExportFile(metadata: unknown): boolean {
  const labels = obj(obj(metadata).labels);
  return String(labels[GENERATED_LABEL] ?? '').toLowerCase() === 'true';
}

/**
 * An export records no authentik version (exporter.py writes `version: 1`, the blueprint format's, and the generated
 * label), yet what a replay shows depends on it: a provider exported before 2026.5 has no grant_types, which a
 * 2026.5+ profile reads as none (authentik.md §6). So the version is the operator's to give, never guessed.
 */
export function exportVersionUnknown(path: string | null): string {
  return `${path ?? 'the blueprint'} is an ak export_blueprint output, which does not say which authentik version wrote it`;
}

/**
 * Per model, the value an export means by leaving a field out (its serializer field's initial value), for the
 * fields whose model default differs (the serializers: core/api/users.py, core/api/groups.py,
 * p/o2/api/providers.py, flows/api/bindings.py, policies/api/bindings.py, stages/<type>/api.py).
 */
export const EXPORT_OMITTED: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  'authentik_core.user': { is_active: false },
  'authentik_core.group': { is_superuser: false },
  'authentik_providers_oauth2.oauth2provider': { include_claims_in_id_token: false },
  'authentik_flows.flowstagebinding': { evaluate_on_plan: false, re_evaluate_policies: false },
  'authentik_policies.policybinding': { enabled: false, negate: false, failure_result: false },
  'authentik_stages_identification.identificationstage': {
    user_fields: [], case_insensitive_matching: false, show_matched_user: false, pretend_user_exists: false,
  },
  'authentik_stages_authenticator_validate.authenticatorvalidatestage': { device_classes: [] },
  'authentik_brands.brand': { default: false },
};

/** An exported entry's attributes with the left-out fields put back. */
export function withOmittedFields(model: string, attrs: Record<string, unknown>): Record<string, unknown> {
  const omitted = EXPORT_OMITTED[model];
  return omitted ? { ...structuredClone(omitted), ...attrs } : attrs;
}

/** The raw entries' flow slugs, and whether they hold the default brand (which stock defaults the export replaces). */
export function exportedStockObjects(entries: readonly unknown[]): { flowSlugs: Set<string>; defaultBrand: boolean } {
  const flowSlugs = new Set<string>();
  let defaultBrand = false;
  for (const raw of entries) {
    const e = obj(raw);
    const all = { ...obj(e.attrs), ...obj(e.identifiers) };
    if (e.model === 'authentik_flows.flow' && typeof all.slug === 'string') flowSlugs.add(all.slug);
    if (e.model === 'authentik_brands.brand' && (all.default === true || all.domain === 'authentik-default')) defaultBrand = true;
  }
  return { flowSlugs, defaultBrand };
}
