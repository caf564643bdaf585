/**
 * A container image reference as Docker parses one (distribution's reference grammar): `[registry[:port]/]name
 * [:tag][@digest]`, with a lowercase name made of components separated by `/`. Nothing else: no whitespace, no
 * newline, nothing that could be read as more than the one name where a Dockerfile or a command line takes it.
 */
const domainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const domain = `${domainComponent}(?:\\.${domainComponent})*(?::[0-9]+)?`;
const pathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const name = `(?:${domain}/)?${pathComponent}(?:/${pathComponent})*`;
const tag = ":[\\w][\\w.-]{0,127}";
const digest = "@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

export const IMAGE_REFERENCE = new RegExp(`^${name}(?:${tag})?(?:${digest})?$`);
/** Room for Docker's longest name (255), a tag (128) and a sha512 digest. */
export const IMAGE_REFERENCE_MAX_LENGTH = 512;

export function isImageReference(reference: string): boolean {
  return reference.length <= IMAGE_REFERENCE_MAX_LENGTH && IMAGE_REFERENCE.test(reference);
}
