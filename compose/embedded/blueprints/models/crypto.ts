/**
 * authentik_crypto.certificatekeypair (authentik/crypto/models.py CertificateKeyPair, serializer crypto/api.py):
 * `name`, and the PEM `certificate_data` / `key_data`. Both are write-only in the serializer, so what
 * `ak export_blueprint` writes is the name (and the primary key) only; the key ring (crypto/keyring.ts) then serves a
 * generated test key of the operator's spec. A pair the file defines twice keeps the last attributes (`present`).
 */
import { defineSlot, type ModelFamily } from '../build.ts';
import type { ResolvedKeyPair } from '../types.ts';
import { FindRef, KeyOfRef } from '../tags.ts';
import { describeQuery, fail, str, type Ctx } from '../values.ts';

export const KEYPAIR_MODEL = 'authentik_crypto.certificatekeypair';
export const KEYPAIRS = defineSlot('certificate key pairs', (): ResolvedKeyPair[] => []);

export const cryptoFamily: ModelFamily = {
  models: [KEYPAIR_MODEL],
  apply({ ctx, id, identifiers, all }, build) {
    const pairs = build.get(KEYPAIRS);
    const pem = (key: string) => (all[key] === undefined || all[key] === null || all[key] === '' ? null : str(all[key], ctx, key));
    const pk = identifiers.pk === undefined || identifiers.pk === null ? null : String(identifiers.pk);
    const pair: ResolvedKeyPair = { id, pk, name: str(all.name, ctx, 'name'), certificate_data: pem('certificate_data'), key_data: pem('key_data') };
    const existing = pairs.findIndex((p) => p.name === pair.name || (pk !== null && p.pk === pk));
    if (existing >= 0) pairs[existing] = pair;
    else pairs.push(pair);
  },
};

/** authentik/crypto/apps.py: the managed self-signed pair exists in every install without a blueprint entry. */
export const SELF_SIGNED_KEYPAIR = 'authentik Self-signed Certificate';

/**
 * A provider's signing_key / encryption_key: `!Find [authentik_crypto.certificatekeypair, [name, X]]`, `!KeyOf` a
 * pair entry, or an export's primary key. A !Find that matches no pair is None in authentik (blueprints/v1/common.py
 * Find.resolve), and a provider without a signing key signs with HS256: that is what the reference serves too, and
 * `notes` says so.
 */
export function resolveKeyPairRef(ref: unknown, attr: string, pairs: readonly ResolvedKeyPair[], ctx: Ctx, notes: string[]): string | null {
  if (ref === null || ref === undefined) return null;
  if (ref instanceof KeyOfRef) {
    const pair = pairs.find((p) => p.id === ref.id);
    if (!pair) fail(ctx, `${attr} is !KeyOf ${ref.id}, which is not an authentik_crypto.certificatekeypair entry`);
    return pair.name;
  }
  if (ref instanceof FindRef) {
    if (ref.model !== KEYPAIR_MODEL) fail(ctx, `${attr} refers to model ${ref.model}, expected ${KEYPAIR_MODEL}`);
    const match = (p: { name: string; pk: string | null }) => ref.query.every(([k, v]) => (k === 'name' ? p.name === v : (k === 'pk' || k === 'kp_uuid') ? p.pk === String(v) : false));
    const candidates = [{ name: SELF_SIGNED_KEYPAIR, pk: null }, ...pairs];
    const hit = [...candidates].reverse().find(match);
    if (hit) return hit.name;
    notes.push(`${ctx.entryLabel}: ${attr} finds no key pair (${describeQuery(ref.query)}); authentik's !Find gives None there, so this provider signs with HS256`);
    return null;
  }
  if (typeof ref === 'string' || typeof ref === 'number') {
    const pair = pairs.find((p) => p.pk === String(ref));
    if (!pair) fail(ctx, `${attr} is the primary key ${String(ref)}, which no authentik_crypto.certificatekeypair entry has`);
    return pair.name;
  }
  fail(ctx, `${attr} must be !Find [${KEYPAIR_MODEL}, [name, ...]], !KeyOf <entry id> or a primary key`);
}
