// `node test/servers/oidc-dev.ts`: the tests' OIDC provider for trying OIDC sign-in by
// hand against `npm start` (docs/deploy.md, "Sign-in with any OpenID Connect provider").
import { startOidcProvider } from './oidc.server.ts';

const port = Number(process.argv[2] ?? 9080);
const api = process.argv[3] ?? 'http://127.0.0.1:8080';
const users = {
  alice: { password: 'alice-pass-1', email: 'alice@example.com', groups: ['videoforge-admins'] },
  bob: { password: 'bob-pass-1', email: 'bob@example.com', groups: ['viewers'] },
};
const provider = await startOidcProvider({
  port,
  users,
  clients: [
    {
      client_id: 'videoforge-web',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [`${api}/api/auth/oidc/callback`],
      post_logout_redirect_uris: [`${api}/login`],
    },
  ],
});
console.log(`test OIDC provider at ${provider.issuer} for ${api}
users: alice / alice-pass-1 (group videoforge-admins), bob / bob-pass-1 (group viewers)
run VideoForge with:
  AUTH_MODE=oidc OIDC_ISSUER=${provider.issuer} OIDC_CLIENT_ID=videoforge-web \\
  OIDC_SCOPES='openid email profile groups' OIDC_GROUPS_CLAIM=groups \\
  OIDC_ADMIN_GROUP=videoforge-admins OIDC_PROVIDER_NAME='Test IdP' npm start
Ctrl-C stops it.`);
const stop = () => void provider.stop().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
