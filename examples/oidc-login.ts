// The login flow of the service design: find the user by their OIDC identity (provider, subject), or create
// the user and link the identity in one transaction. Two logins racing for a new subject create one user.
import type { Repositories, User } from '../generated/index.js';
import { ConflictError, type Database } from '../src/index.js';
import { openExampleDatabase, runId } from './open.js';

interface OidcClaims {
  provider: string;
  subject: string;
  email: string;
  givenName: string;
  familyName: string;
}

async function findUserByIdentity(repos: Repositories, claims: OidcClaims): Promise<User | null> {
  const [identity] = await repos.userIdentities.findIdentityByProviderSubject({ provider: claims.provider, subject: claims.subject });
  return identity ? repos.users.get(identity.userId) : null;
}

/** Returns the user of these claims and whether this login created it. */
export async function login(db: Database<Repositories>, claims: OidcClaims): Promise<{ user: User; created: boolean }> {
  const existing = await findUserByIdentity(db.repositories, claims);
  if (existing) return { user: existing, created: false };
  try {
    const user = await db.transaction(async (repos) => {
      const user = await repos.users.create({ firstName: claims.givenName, lastName: claims.familyName });
      await repos.userIdentities.create({ userId: user.id, provider: claims.provider, subject: claims.subject, email: claims.email });
      return user;
    });
    return { user, created: true };
  } catch (error) {
    // Another login linked this subject first: its transaction won, ours rolled back (no orphan user).
    if (!(error instanceof ConflictError)) throw error;
    const winner = await findUserByIdentity(db.repositories, claims);
    if (!winner) throw error;
    return { user: winner, created: false };
  }
}

const db = await openExampleDatabase();
try {
  const claims: OidcClaims = { provider: 'https://keycloak.example/realms/app', subject: `kc-${runId}`, email: `grace+${runId}@example.com`, givenName: 'Grace', familyName: 'Hopper' };
  const first = await login(db, claims);
  console.log(`first login: ${first.created ? 'created' : 'found'} user ${first.user.firstName} ${first.user.lastName} (${first.user.id})`);
  const second = await login(db, claims);
  console.log(`second login: ${second.created ? 'created' : 'found'} user ${second.user.id} (same user: ${second.user.id === first.user.id})`);

  const raced = { ...claims, subject: `race-${runId}` };
  const results = await Promise.all([login(db, raced), login(db, raced)]);
  const ids = new Set(results.map((r) => r.user.id));
  const usersLinked = await db.repositories.userIdentities.findIdentityByProviderSubject({ provider: raced.provider, subject: raced.subject });
  console.log(`race of two logins: ${results.filter((r) => r.created).length} created, ${ids.size} distinct user, ${usersLinked.length} identity`);
} finally {
  await db.close();
}
