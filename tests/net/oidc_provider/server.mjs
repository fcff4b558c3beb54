// OpenID provider for the workstation's tests: node server.js PORT
// Environment: OIDC_ISSUER (default http://127.0.0.1:PORT), ACCESS_TTL (seconds, default 600).
// Clients: "workstation" (native, public, PKCE, loopback redirect, device grant), "other-app"
// (the same, another audience) and "archive" (confidential: the archive's token introspection).
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const issuer = process.env.OIDC_ISSUER || `http://127.0.0.1:${port}`;
const accessTtl = Number(process.env.ACCESS_TTL || 600);

const people = {
  helene: { name: 'Dr Hélène Dupré-Łukasz', given_name: 'Hélène', family_name: 'Dupré-Łukasz' },
  kenji: { name: '佐藤 健二', given_name: '健二', family_name: '佐藤' },
};

const nativeClient = (id) => ({
  client_id: id,
  application_type: 'native',
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  response_types: ['code'],
  redirect_uris: ['http://127.0.0.1/callback'],
});

const provider = new Provider(issuer, {
  clients: [
    nativeClient('workstation'),
    nativeClient('other-app'),
    { client_id: 'archive', client_secret: 'archive-secret', grant_types: [], response_types: [], redirect_uris: [] },
  ],
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
  },
  claims: { openid: ['sub'], profile: ['name', 'given_name', 'family_name'] },
  conformIdTokenClaims: false,
  ttl: { AccessToken: accessTtl, IdToken: 3600, RefreshToken: 86400, Grant: 86400, Session: 86400,
         Interaction: 600, DeviceCode: 600 },
  cookies: { keys: ['workstation-test-only'] },
  async findAccount(ctx, id) {
    return { accountId: id, async claims() { return { sub: id, ...(people[id] || { name: id }) }; } };
  },
});

provider.listen(port, '127.0.0.1', () => { process.stdout.write(`listening ${issuer}\n`); });
