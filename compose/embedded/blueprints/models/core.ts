/**
 * authentik_core: application, user, group (authentik/core/models.py; blueprint attributes as in authentik.md §10).
 * A user's `password` is accepted in blueprint context only and goes through set_password (core/api/users.py).
 */
import { randomUUID } from 'node:crypto';
import { defineSlot, type ModelFamily } from '../build.ts';
import { FindRef } from '../tags.ts';
import type { ResolvedApplication, ResolvedUser } from '../types.ts';
import { bool, fail, obj, str, type Ctx } from '../values.ts';

/** An application with its provider reference, resolved when the file is assembled. */
export interface ApplicationEntry {
  app: ResolvedApplication;
  providerRef: unknown;
  ctx: Ctx;
}

export const APPLICATIONS = defineSlot('applications', (): ApplicationEntry[] => []);
export const USERS = defineSlot('users', (): ResolvedUser[] => []);
export const GROUPS = defineSlot('groups', (): string[] => []);

/** Application.reserved_slugs (authentik/core/models.py). */
export const RESERVED_SLUGS: readonly string[] = ['authorize', 'token', 'device', 'userinfo', 'introspect', 'revoke'];

export function uuidFrom(seed: string): string {
  // Stable per blueprint user, formatted like a UUIDv4 (authentik's user.uuid is random; stable is friendlier for tests).
  let h = 0x811c9dc5;
  const bytes: number[] = [];
  for (let round = 0; round < 16; round++) {
    for (const ch of `${seed}:${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    bytes.push(h & 0xff);
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const coreFamily: ModelFamily = {
  models: ['authentik_core.application', 'authentik_core.user', 'authentik_core.group'],
  apply({ model, ctx, id, all }, build) {
    if (model === 'authentik_core.application') {
      const engine = all.policy_engine_mode ?? 'any';
      if (engine !== 'any' && engine !== 'all') fail(ctx, 'policy_engine_mode must be any or all');
      const app: ResolvedApplication = { id, slug: str(all.slug, ctx, 'slug'), name: str(all.name, ctx, 'name'), policy_engine_mode: engine, bindings: [] };
      // a SlugField (Application.slug): letters, numbers, underscores or hyphens
      if (!/^[-a-zA-Z0-9_]+$/.test(app.slug)) fail(ctx, `slug "${app.slug}" is not a valid slug (Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.)`);
      build.get(APPLICATIONS).push({ app, providerRef: all.provider, ctx });
      // a PolicyBindingModel: policy bindings may target it (!KeyOf or !Find by slug)
      build.store(model, typeof all.pk === 'string' ? all.pk : randomUUID(), { slug: app.slug, name: app.name }, app, id);
    } else if (model === 'authentik_core.user') {
      const users = build.get(USERS);
      const username = str(all.username, ctx, 'username');
      const userGroups = Array.isArray(all.groups) ? all.groups.map((g) => (g instanceof FindRef ? String(g.query[0]?.[1] ?? '') : String(g))) : [];
      const user: ResolvedUser = {
        id,
        pk: users.length + 2,
        uuid: uuidFrom(username),
        username,
        name: str(all.name, ctx, 'name', ''),
        email: str(all.email, ctx, 'email', ''),
        password: all.password === undefined || all.password === null ? null : str(all.password, ctx, 'password'),
        is_active: bool(all.is_active, true),
        attributes: obj(all.attributes),
        groups: userGroups,
        devices: [],
      };
      users.push(user);
      build.store(model, String(user.pk), { username, email: user.email, name: user.name, uuid: user.uuid }, user, id);
    } else {
      const name = str(all.name, ctx, 'name');
      build.get(GROUPS).push(name);
      build.store(model, typeof all.pk === 'string' ? all.pk : randomUUID(), { name }, name, id);
    }
  },
};
