/** Where a sandbox with network finds this machine's CA bundle. */
export const NETWORK_CA_PATH = "/opt/codebeaker/machine-ca.crt";

/** The variables that point the sandbox's tools (OpenSSL, pip, requests, Node.js, cargo, curl, git) at it. */
const CA_VARIABLES = [
  "SSL_CERT_FILE",
  "PIP_CERT",
  "REQUESTS_CA_BUNDLE",
  "NODE_EXTRA_CA_CERTS",
  "CARGO_HTTP_CAINFO",
  "CURL_CA_BUNDLE",
  "GIT_SSL_CAINFO",
];

/** The build context's name for the bundle. */
export const NETWORK_CA_FILE = "machine-ca.crt";

/**
 * A session with network trusts what this machine trusts: its image gains the machine's CA bundle, and the
 * variables its tools read name it. Where a proxy re-signs TLS with a CA only the machine's store has (this
 * project's machines), `pip install` in a session verifies nothing without it; elsewhere the bundle is the
 * usual public roots. One small layer, built once per image and bundle.
 */
export function networkDockerfile(base: string): string {
  const env = CA_VARIABLES.map((name) => `${name}=${NETWORK_CA_PATH}`).join(" ");
  return `FROM ${base}\nCOPY ${NETWORK_CA_FILE} ${NETWORK_CA_PATH}\nENV ${env}\n`;
}
