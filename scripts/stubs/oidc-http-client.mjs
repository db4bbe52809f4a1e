// Stands in for @actions/http-client inside @actions/core's OIDC helper (core.getIDToken), which
// this action never calls: the real client pulls undici and tunnel (about 800 KB) into every run.
// The artifact upload, which does need HTTP, bundles the real client.
function unused() {
  throw new Error('pycov-harvest does not use OIDC tokens (core.getIDToken)');
}
export class HttpClient {
  constructor() {
    unused();
  }
}
export class BearerCredentialHandler {
  constructor() {
    unused();
  }
}
