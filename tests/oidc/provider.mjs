// A real OpenID Connect provider for the test suite (panva's oidc-provider),
// listening on 127.0.0.1 only.
//
//   node tests/oidc/provider.mjs PORT REDIRECT_URI [REDIRECT_URI ...]
//
// One client, "iop" (secret "iop-test-secret"), may use the given redirect
// URIs and return to them after logout (RP-initiated logout). The built-in
// development login form takes any login name: the account's subject is that
// name, and a name "pid-NNNNNNNNNNN" also carries the claim pid=NNNNNNNNNNN
// (the national identity number, as ID-porten sends it). Consent is given
// by the provider itself.
//
// Two kinds of account make the provider misbehave on purpose, so that the
// relying party's checks of the ID token are tested against real tokens:
// "wrong-audience-*" gets an ID token for another client, "expired-*" one
// whose lifetime ended an hour ago (both signed with the provider's own key).
//
// It prints "ready ISSUER" on standard output once it listens.

import { generateKeyPair, exportJWK, decodeJwt, SignJWT, importJWK } from "jose";
import Provider from "oidc-provider";

const [port, ...redirectUris] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const { privateKey } = await generateKeyPair("RS256", { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: "test-key", alg: "RS256", use: "sig" };
const signingKey = await importJWK(jwk, "RS256");

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: "iop",
      client_secret: "iop-test-secret",
      redirect_uris: redirectUris,
      post_logout_redirect_uris: redirectUris,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    },
  ],
  jwks: { keys: [jwk] },
  claims: { openid: ["sub", "pid"], profile: ["name"] },
  conformIdTokenClaims: false,
  pkce: { required: () => false },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  cookies: { keys: ["test-cookie-key"] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        const claims = { sub: id, name: `Test ${id}` };
        if (id.startsWith("pid-")) claims.pid = id.slice(4);
        return claims;
      },
    };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope("openid profile");
    grant.addOIDCClaims(["sub", "pid", "name"]);
    await grant.save();
    return grant;
  },
});

provider.use(async (ctx, next) => {
  await next();
  if (ctx.oidc?.route !== "token" || !ctx.body?.id_token) return;
  const claims = decodeJwt(ctx.body.id_token);
  if (claims.sub.startsWith("wrong-audience-")) {
    claims.aud = "another-client";
  } else if (claims.sub.startsWith("expired-")) {
    claims.iat -= 7200;
    claims.exp = Math.floor(Date.now() / 1000) - 3600;
  } else {
    return;
  }
  ctx.body = {
    ...ctx.body,
    id_token: await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: jwk.kid }).sign(signingKey),
  };
});

const server = provider.listen(Number(port), "127.0.0.1", () => {
  process.stdout.write(`ready ${issuer}\n`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
