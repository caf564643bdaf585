/*
 * cb-runner: a whole sync in one request. untar unpacks a ustar archive (pax 'x' headers give long names) under
 * the workspace root, then deletes what the request lists; checksum tells the host whether files still hold
 * what it wrote. Every path goes through open_parent/open_file, as the other file requests do: no "..", nothing
 * outside the root, no symbolic link on the way. The archive may only hold regular files and directories: a
 * link, a device or a FIFO entry is refused and reported, never created.
 */
#include "cb-runner.h"
#include "sha256.h"

#define BLOCK 512
#define MAX_PAX (1u << 20)

/* The archive arrives in 'D' frames, read as one stream; an empty 'D' ends it. */
struct archive { struct frame f; uint32_t used; int ended; };

/* Copies up to `len` bytes of the archive into `dst` (or skips them when dst is NULL); fewer only at its end. */
static size_t archive_read(struct archive *a, unsigned char *dst, size_t len) {
  size_t done = 0;
  while (done < len && !a->ended) {
    if (a->used == a->f.len) {
      a->used = 0;
      if (!next_frame(&a->f)) { a->ended = 1; a->f.len = 0; break; } /* the host went away */
      if (a->f.type != 'D') { a->f.len = 0; continue; } /* stdin or kill for no run: not ours */
      if (a->f.len == 0) { a->ended = 1; break; }
    }
    size_t n = a->f.len - a->used;
    if (n > len - done) n = len - done;
    if (dst) memcpy(dst + done, a->f.payload + a->used, n);
    a->used += (uint32_t)n;
    done += n;
  }
  return done;
}

static unsigned long long octal(const unsigned char *p, size_t n) {
  unsigned long long value = 0;
  size_t i = 0;
  while (i < n && (p[i] == ' ' || p[i] == 0)) i++;
  for (; i < n && p[i] >= '0' && p[i] <= '7'; i++) value = value * 8 + (unsigned)(p[i] - '0');
  return value;
}

static int header_valid(const unsigned char *h) {
  unsigned long long sum = 0;
  for (int i = 0; i < BLOCK; i++) sum += (i >= 148 && i < 156) ? ' ' : h[i];
  return sum == octal(h + 148, 8);
}

static int all_zero(const unsigned char *h) {
  for (int i = 0; i < BLOCK; i++) if (h[i]) return 0;
  return 1;
}

/* One 'd' frame of NUL-separated fields: what happened to one path. */
static void report(const char *what, const char *path, const char *detail, const char *more) {
  size_t a = strlen(what), b = strlen(path), c = strlen(detail), d = more ? strlen(more) : 0;
  size_t len = a + 1 + b + 1 + c + (more ? 1 + d : 0);
  char *buf = malloc(len);
  if (!buf) die("malloc");
  memcpy(buf, what, a + 1);
  memcpy(buf + a + 1, path, b + 1);
  memcpy(buf + a + 1 + b + 1, detail, c);
  if (more) { buf[a + b + c + 2] = 0; memcpy(buf + a + b + c + 3, more, d); }
  send_frame('d', buf, len);
  free(buf);
}

/* The value of the "path" record of a pax extended header ("LEN path=VALUE\n" ...), or NULL. */
static char *pax_path(const unsigned char *data, size_t len) {
  size_t at = 0;
  while (at < len) {
    char *end;
    unsigned long record = strtoul((const char *)data + at, &end, 10);
    size_t start = (size_t)((const unsigned char *)end - data);
    if (record == 0 || at + record > len || start >= at + record || *end != ' ') return NULL;
    const char *kv = end + 1;
    size_t kv_len = at + record - (start + 1) - 1; /* without the final newline */
    if (kv_len > 5 && memcmp(kv, "path=", 5) == 0) return strndup(kv + 5, kv_len - 5);
    at += record;
  }
  return NULL;
}

static long long written_count, failed_count, deleted_count, byte_count;

/* Writes one regular file of `size` bytes from the archive; a file that cannot be written whole is removed. */
static void extract_file(struct archive *a, const char *shown, unsigned long long size) {
  char *path = strdup(shown), *again = strdup(shown);
  const char *error = NULL;
  int err = 0, fd = open_file(path, O_WRONLY | O_CREAT | O_TRUNC, 1, &error);
  if (fd < 0) err = errno;
  struct sha256 sum;
  sha256_init(&sum);
  unsigned char buf[CHUNK];
  unsigned long long left = size;
  while (left > 0) {
    size_t got = archive_read(a, buf, left < CHUNK ? (size_t)left : CHUNK);
    if (got == 0) { if (!error) error = "IoError", err = EIO; break; } /* the archive was cut short */
    left -= got;
    if (fd < 0 || error) continue;
    sha256_update(&sum, buf, got);
    if (write_fully(fd, buf, got) != 0) err = errno, error = err == ENOSPC || err == EDQUOT || err == EFBIG ? "NoSpace" : "IoError";
  }
  archive_read(a, NULL, (BLOCK - size % BLOCK) % BLOCK);
  if (fd >= 0) {
    close(fd);
    int was_directory;
    if (error) delete_path(again, &was_directory); /* half a file is no file */
  }
  if (error) {
    failed_count++;
    report("failed", shown, error, err && strcmp(error, "IoError") == 0 ? strerror(err) : NULL);
  } else {
    char numbers[64];
    snprintf(numbers, sizeof numbers, "%llu", size);
    char hex[65];
    sha256_hex(&sum, hex);
    written_count++;
    byte_count += (long long)size;
    report("written", shown, numbers, hex);
  }
  free(path);
  free(again);
}

static void extract_directory(const char *shown) {
  char *path = strdup(shown), *leaf;
  const char *error = NULL;
  int dir = open_parent(path, 1, &leaf, &error);
  if (dir >= 0 && *leaf) {
    struct stat st;
    if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0) {
      if (!S_ISDIR(st.st_mode)) error = S_ISLNK(st.st_mode) ? "Symlink" : "AlreadyExists";
    } else if (mkdirat(dir, leaf, 0755) != 0) error = errno == ENOSPC ? "NoSpace" : "IoError";
  }
  if (dir >= 0) close(dir);
  if (error) { failed_count++; report("failed", shown, error, NULL); }
  free(path);
}

/* The entry's path under the root: NULL (with why) for an absolute name or an empty one. */
static char *entry_path(const char *name, const char **error) {
  if (name[0] == '/') { *error = "OutsideWorkspace"; return NULL; }
  if (name[0] == 0) { *error = "WorkspaceRoot"; return NULL; }
  size_t len = strlen(workspace_root) + 1 + strlen(name) + 1;
  char *path = malloc(len);
  if (!path) die("malloc");
  snprintf(path, len, "%s/%s", workspace_root, name);
  while (len > 2 && path[len - 2] == '/') path[--len - 1] = 0; /* a directory's trailing slash */
  return path;
}

void op_untar(const struct request *rq) {
  struct archive a = {{0, NULL, 0}, 0, 0};
  unsigned char header[BLOCK];
  char *long_name = NULL;
  int corrupt = 0;
  written_count = failed_count = deleted_count = byte_count = 0;
  while (!corrupt) {
    size_t got = archive_read(&a, header, BLOCK);
    if (got == 0) break;
    if (got < BLOCK || (!all_zero(header) && !header_valid(header))) { corrupt = 1; break; }
    if (all_zero(header)) continue; /* the end-of-archive blocks */
    unsigned long long size = octal(header + 124, 12);
    unsigned long long padded = size + (BLOCK - size % BLOCK) % BLOCK;
    char type = (char)header[156];
    if (type == 'x' || type == 'g') {
      unsigned char *data = size <= MAX_PAX ? malloc(size + 1) : NULL;
      if (!data) { archive_read(&a, NULL, padded); continue; }
      size_t read = archive_read(&a, data, size);
      archive_read(&a, NULL, padded - size);
      if (type == 'x' && read == size) { free(long_name); long_name = pax_path(data, size); }
      free(data);
      continue;
    }
    char name[256 + 1 + 100 + 1];
    if (header[345]) snprintf(name, sizeof name, "%.155s/%.100s", (char *)header + 345, (char *)header);
    else snprintf(name, sizeof name, "%.100s", (char *)header);
    const char *error = NULL;
    char *path = entry_path(long_name ? long_name : name, &error);
    free(long_name);
    long_name = NULL;
    const char *shown = path ? path : (name[0] ? name : "(no name)");
    if (path && (type == '0' || type == 0 || type == '7')) { extract_file(&a, path, size); free(path); continue; }
    archive_read(&a, NULL, padded);
    if (path && type == '5') extract_directory(path);
    else {
      /* Links could point anywhere, devices and FIFOs are not files: none is ever created. */
      if (!error) error = type == '1' || type == '2' ? "Symlink" : "IoError";
      failed_count++;
      report("failed", shown, error, type == '1' || type == '2' || !path ? NULL : "not a regular file or directory");
    }
    free(path);
  }
  free(long_name);
  while (archive_read(&a, NULL, CHUNK) > 0) {} /* after a corrupt header: the rest of the stream */

  char **deletes = field_list(rq, "delete");
  for (char **d = deletes; *d; d++) {
    char *path = strdup(*d);
    int was_directory = 0;
    const char *error = delete_path(path, &was_directory);
    free(path);
    if (!error || !strcmp(error, "NotFound")) {
      deleted_count++;
      report("deleted", *d, error ? "missing" : was_directory ? "directory" : "file", NULL);
    } else {
      failed_count++;
      report("failed", *d, error, NULL);
    }
  }
  free(deletes);
  result_field("written", "%lld", written_count);
  result_field("deleted", "%lld", deleted_count);
  result_field("failed", "%lld", failed_count);
  result_field("bytes", "%lld", byte_count);
  if (corrupt) result_field("corrupt", "1");
  send_result();
}

/* For each path: its size and content hash (contract/content-hash.ts), or nothing when it is not a regular file
 * the host could read. A program may change its own workspace at will: this is bookkeeping, not a defence. */
void op_checksum(const struct request *rq) {
  char **paths = field_list(rq, "path");
  unsigned char buf[CHUNK];
  for (char **p = paths; *p; p++) {
    char *path = strdup(*p);
    const char *error = NULL;
    int fd = open_file(path, O_RDONLY, 0, &error);
    free(path);
    if (fd < 0) { report("missing", *p, error, NULL); continue; }
    struct sha256 sum;
    sha256_init(&sum);
    unsigned long long size = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) { sha256_update(&sum, buf, (size_t)n); size += (unsigned long long)n; }
    close(fd);
    if (n < 0) { report("missing", *p, "IoError", NULL); continue; }
    char numbers[64], hex[65];
    snprintf(numbers, sizeof numbers, "%llu", size);
    sha256_hex(&sum, hex);
    report("file", *p, numbers, hex);
  }
  free(paths);
  result_field("count", "%d", 0);
  send_result();
}
