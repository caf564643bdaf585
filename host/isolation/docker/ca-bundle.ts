import { existsSync, readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";

/** Where Linux distributions (and macOS) keep the machine's trusted certificates, as one file. */
const SYSTEM_BUNDLES = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"];

/**
 * The certificates this machine trusts, as one PEM bundle: what a package install inside an image build gets, so
 * that it trusts what the host trusts. A network whose proxy re-signs TLS with its own CA works only with that CA,
 * which is in the machine's store and nowhere in a Debian image; on an ordinary network the bundle is the usual
 * public roots. SSL_CERT_FILE names the store where it is not in a usual place; NODE_EXTRA_CA_CERTS adds to it.
 */
export function machineCaBundle(env: Record<string, string | undefined> = process.env): Buffer {
  const files = [env.SSL_CERT_FILE, ...SYSTEM_BUNDLES].filter((file): file is string => !!file && existsSync(file));
  const store = files[0] ? readFileSync(files[0], "utf8") : rootCertificates.join("\n");
  const extra =
    env.NODE_EXTRA_CA_CERTS && env.NODE_EXTRA_CA_CERTS !== files[0] && existsSync(env.NODE_EXTRA_CA_CERTS)
      ? readFileSync(env.NODE_EXTRA_CA_CERTS, "utf8")
      : "";
  return Buffer.from(`${store.trimEnd()}\n${extra}`);
}
