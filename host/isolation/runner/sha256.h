/*
 * SHA-256 (FIPS 180-4): the content hash of the workspace mirror, the one the host and the extension compute
 * with node:crypto (contract/content-hash.ts), so a file's hash means the same on every side.
 */
#ifndef CB_SHA256_H
#define CB_SHA256_H
#include <stddef.h>
#include <stdint.h>

struct sha256 {
  uint32_t state[8];
  uint64_t bytes;
  unsigned char block[64];
  size_t used;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const unsigned char *data, size_t len);
/* Ends the hash: 64 lowercase hex digits and a NUL. */
void sha256_hex(struct sha256 *s, char hex[65]);

#endif
