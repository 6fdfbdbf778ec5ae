/**
 * authentik_core: application, user, group (authentik/core/models.py; blueprint attributes as in authentik.md §10).
 * A user's `password` is accepted in blueprint context only and goes through set_password (core/api/users.py).
 */
import { randomUUID } from 'node:crypto';
import { defineSlot, type BlueprintBuild, type EntryInput, type ModelFamily } from '../build.ts';
import { requireRef } from '../refs.ts';
import { FindRef, KeyOfRef } from '../tags.ts';
import { USER_TYPES, type ResolvedApplication, type ResolvedUser, type UserType } from '../types.ts';
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
const GROUP_MODEL = 'authentik_core.group';

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

/** Groups with is_superuser (authentik/core/models.py Group.is_superuser: "Users added to this group will be superusers."). */
const SUPERUSER_GROUPS = defineSlot('superuser groups', () => new Set<string>());

/**
 * A group reference of a user (`groups`) as the group's name: `!Find [authentik_core.group, [name, X]]`, `!KeyOf`, or
 * a primary key (what an export writes: UserSerializer.groups is a PrimaryKeyRelatedField, core/api/users.py). Outside
 * an export a plain value that is no group's key is taken as the group's name, as before.
 */
function groupName(ref: unknown, input: EntryInput, build: BlueprintBuild, i: number): string {
  if (ref instanceof FindRef) return String(ref.query[0]?.[1] ?? '');
  const lenient = !build.exportMode && !(ref instanceof KeyOfRef) && !build.byPkOf(String(ref), [GROUP_MODEL]);
  if (lenient) return String(ref);
  return String(requireRef(build, ref, [GROUP_MODEL], { ctx: input.ctx, index: input.index, attr: `groups[${i}]` }).fields.name);
}

function applyUser(input: EntryInput, build: BlueprintBuild): void {
  const { ctx, id, all, identifiers } = input;
  const users = build.get(USERS);
  const username = str(all.username, ctx, 'username');
  const type = all.type ?? 'internal';
  if (!USER_TYPES.includes(type as UserType)) fail(ctx, `type "${String(type)}" is not one of ${USER_TYPES.join(', ')}`);
  const exportedPk = typeof identifiers.pk === 'number' ? identifiers.pk : /^\d+$/.test(String(identifiers.pk ?? '')) ? Number(identifiers.pk) : null;
  const user: ResolvedUser = {
    id,
    pk: exportedPk ?? users.length + 2,
    uuid: uuidFrom(username),
    username,
    name: str(all.name, ctx, 'name', ''),
    email: str(all.email, ctx, 'email', ''),
    password: all.password === undefined || all.password === null ? null : str(all.password, ctx, 'password'),
    is_active: bool(all.is_active, true),
    attributes: obj(all.attributes),
    groups: [],
    type: type as UserType,
    superuser: false,
    devices: [],
  };
  users.push(user);
  build.store(input.model, String(user.pk), { username, email: user.email, name: user.name, uuid: user.uuid }, user, id);
  const refs = Array.isArray(all.groups) ? all.groups : [];
  for (const [i, ref] of refs.entries()) addMember(user, groupName(ref, input, build, i));
}

function addMember(user: ResolvedUser, group: string): void {
  if (!user.groups.includes(group)) user.groups.push(group);
}

function applyGroup(input: EntryInput, build: BlueprintBuild): void {
  const { ctx, id, all } = input;
  const name = str(all.name, ctx, 'name');
  build.get(GROUPS).push(name);
  if (bool(all.is_superuser, false)) build.get(SUPERUSER_GROUPS).add(name);
  build.store(input.model, typeof all.pk === 'string' ? all.pk : randomUUID(), { name }, name, id);
  // GroupSerializer.users (core/api/groups.py): the members by primary key, the other side of the users' `groups`.
  // An export writes both sides (groups first, then users naming their groups), so the members are linked once
  // every entry is applied: applying a member here would apply a user whose `groups` lead back to this group.
  const members = Array.isArray(all.users) ? all.users : [];
  build.get(PENDING_MEMBERS).push(...members.map((ref, i) => ({ group: name, ref, site: { ctx, index: input.index, attr: `users[${i}]` } })));
}

const PENDING_MEMBERS = defineSlot('group members', (): Array<{ group: string; ref: unknown; site: { ctx: Ctx; index: number; attr: string } }> => []);

export const coreFamily: ModelFamily = {
  models: ['authentik_core.application', 'authentik_core.user', GROUP_MODEL],
  apply(input, build) {
    const { model, ctx, id, all } = input;
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
      applyUser(input, build);
    } else {
      applyGroup(input, build);
    }
  },
};

/** Once every entry is applied: the groups' members, and which users are administrators (of a superuser group). */
export function markSuperusers(build: BlueprintBuild): void {
  for (const { group, ref, site } of build.get(PENDING_MEMBERS).splice(0)) {
    addMember(requireRef(build, ref, ['authentik_core.user'], site).value as ResolvedUser, group);
  }
  const superGroups = build.get(SUPERUSER_GROUPS);
  for (const user of build.get(USERS)) user.superuser = user.groups.some((g) => superGroups.has(g));
}
