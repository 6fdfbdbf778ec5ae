/**
 * The test user of a replayed install. `ak export_blueprint` writes users without passwords (the password field
 * exists only in blueprint context and is write-only: authentik/core/api/users.py UserSerializer), so the password
 * comes from the command line (a file or the environment, never argv) and goes to one user: the one `--username`
 * names, or else the export's single user who is not internal. Internal here: authentik's own administrator
 * (`akadmin`, blueprints/system/bootstrap.yaml), members of a superuser group ("authentik Admins"), and service
 * accounts (UserTypes service_account and internal_service_account: outposts, API clients; core/models.py).
 * Inactive users cannot log in (authentik.md §12) and are not candidates either.
 */
import type { ResolvedBlueprint, ResolvedUser } from './types.ts';

export interface TestUserOptions {
  /** The user to log in as (`--username`, TEST_USERNAME). */
  username?: string;
  /** The password for a user the blueprint gives none (`--password-file`, TEST_PASSWORD_FILE, TEST_PASSWORD). */
  password?: string;
}

/** An administrator or a service account: never taken as the test user unless named. */
export function isInternalUser(u: ResolvedUser): boolean {
  return u.username === 'akadmin' || u.superuser || u.type === 'service_account' || u.type === 'internal_service_account';
}

function names(users: readonly ResolvedUser[]): string {
  return users.map((u) => u.username).join(', ');
}

/**
 * Picks the test user and gives it the password when the blueprint has none for it (only then: a blueprint's own
 * password stays, so a wrong one given on the command line is still a wrong password). Returns the user, or null
 * when the blueprint leaves the choice open and nothing needs a password. Throws one sentence when the choice is
 * impossible or ambiguous.
 */
export function chooseTestUser(bp: ResolvedBlueprint, o: TestUserOptions): ResolvedUser | null {
  const user = pickTestUser(bp, o);
  // a replayed install's login can only fail without it, and that failure would be the input's, not authentik's
  if (bp.exported && user?.password === null) {
    throw new Error(`the test user ${user.username} of the export ${bp.path ?? bp.name} has no password (ak export_blueprint leaves passwords out): give it with --password-file FILE (or TEST_PASSWORD_FILE)`);
  }
  return user;
}

function pickTestUser(bp: ResolvedBlueprint, o: TestUserOptions): ResolvedUser | null {
  const file = bp.path ?? bp.name;
  const passwordless = bp.users.filter((u) => u.password === null);
  if (o.username !== undefined) {
    const named = bp.users.find((u) => u.username === o.username);
    if (!named && passwordless.length > 0) {
      throw new Error(`--username ${o.username}: the blueprint ${file} has no such user (its users: ${names(bp.users)})`);
    }
    if (named && named.password === null && o.password !== undefined) named.password = o.password;
    return named ?? null;
  }
  if (passwordless.length === 0) return null;
  const candidates = passwordless.filter((u) => u.is_active && !isInternalUser(u));
  if (candidates.length > 1) {
    throw new Error(`the blueprint ${file} has ${candidates.length} users who could be the test user (${names(candidates)}); choose one with --username`);
  }
  const [user] = candidates;
  if (!user) {
    if (o.password === undefined && !bp.exported) return null;
    const skipped = passwordless.filter((u) => !candidates.includes(u));
    throw new Error(`the blueprint ${file} has no user to log in as besides administrators, service accounts and inactive users (${names(skipped)}); name one with --username`);
  }
  if (o.password !== undefined) user.password = o.password;
  return user;
}
