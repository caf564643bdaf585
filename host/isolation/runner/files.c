/* cb-runner: file requests, confined to the workspace root. */
#include "cb-runner.h"

/* ---------- files, confined to the workspace ---------- */

/* Splits `path` (absolute, under the workspace root) and opens the directory that holds its last component,
 * refusing `..`, symbolic links and non-directories on the way. With `make_parents`, missing directories are
 * created. Returns the directory fd and points *leaf at the last component ("" for the root itself). */
int open_parent(char *path, int make_parents, char **leaf, const char **error) {
  size_t root_len = strlen(workspace_root);
  if (strncmp(path, workspace_root, root_len) != 0 || (path[root_len] != '/' && path[root_len] != 0)) {
    *error = "OutsideWorkspace";
    return -1;
  }
  int dir = open(workspace_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) { *error = "IoError"; return -1; }
  char *rest = path + root_len, *save = NULL;
  char *part = strtok_r(rest, "/", &save);
  *leaf = "";
  while (part) {
    char *next = strtok_r(NULL, "/", &save);
    if (strcmp(part, "..") == 0) { close(dir); *error = "OutsideWorkspace"; return -1; }
    if (strcmp(part, ".") == 0) { part = next; continue; }
    if (!next) { *leaf = part; break; }
    struct stat st;
    if (fstatat(dir, part, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno != ENOENT || !make_parents || mkdirat(dir, part, 0755) != 0) {
        *error = errno == ENOENT ? "NotFound" : "IoError";
        close(dir);
        return -1;
      }
    } else if (S_ISLNK(st.st_mode)) { close(dir); *error = "Symlink"; return -1; }
    else if (!S_ISDIR(st.st_mode)) { close(dir); *error = "NotADirectory"; return -1; }
    int sub = openat(dir, part, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    close(dir);
    if (sub < 0) { *error = errno == ELOOP ? "Symlink" : "IoError"; return -1; }
    dir = sub;
    part = next;
  }
  return dir;
}

/* What open(2) says when the path is a FIFO without a reader (O_NONBLOCK), a socket or a device without a driver. */
static int not_a_file_errno(int err) { return err == ENXIO || err == ENODEV || err == EOPNOTSUPP; }

/* Opens a regular file under the workspace; a symbolic link, a directory or anything else that is not a regular file
 * (a named pipe, a socket, a device) is refused, never opened in a way that could block: O_NONBLOCK makes open
 * return at once whatever the path turned into meanwhile, and fstat on the opened file decides. */
int open_file(char *path, int flags, int make_parents, const char **error) {
  char *leaf;
  int dir = open_parent(path, make_parents, &leaf, error);
  if (dir < 0) return -1;
  if (!*leaf) { close(dir); *error = "IsADirectory"; return -1; }
  struct stat st;
  if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISLNK(st.st_mode)) { close(dir); *error = "Symlink"; return -1; }
    if (S_ISDIR(st.st_mode)) { close(dir); *error = "IsADirectory"; return -1; }
    if (!S_ISREG(st.st_mode)) { close(dir); *error = "NotARegularFile"; return -1; }
  } else if (!(flags & O_CREAT)) { close(dir); *error = "NotFound"; return -1; }
  int fd = openat(dir, leaf, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0644);
  int saved = errno;
  close(dir);
  if (fd < 0) {
    *error = saved == ELOOP ? "Symlink" : saved == ENOSPC ? "NoSpace" : saved == EISDIR ? "IsADirectory"
           : not_a_file_errno(saved) ? "NotARegularFile" : "IoError";
    errno = saved;
    return -1;
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    *error = S_ISDIR(st.st_mode) ? "IsADirectory" : "NotARegularFile";
    errno = 0;
    return -1;
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

int write_fully(int fd, const unsigned char *data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0) { if (errno == EINTR) continue; return -1; }
    data += n; len -= (size_t)n;
  }
  return 0;
}

/* Creates or replaces (or appends to) a file under the workspace with `data`; returns NULL or the error code. */
const char *write_file_at(const char *where, const unsigned char *data, size_t len, int append, int *err) {
  const char *error = NULL;
  char *path = strdup(where);
  int fd = open_file(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 1, &error);
  *err = errno;
  free(path);
  if (fd < 0) return error;
  if (write_fully(fd, data, len) != 0) {
    *err = errno;
    close(fd);
    return *err == ENOSPC || *err == EDQUOT ? "NoSpace" : "IoError";
  }
  close(fd);
  return NULL;
}

void op_write(const struct request *rq) {
  struct frame content;
  if (!next_frame(&content) || content.type != 'D') { send_error("BadRequest", 0); return; }
  const char *mode = field(rq, "mode");
  int err = 0;
  const char *error = write_file_at(field(rq, "path") ? field(rq, "path") : "", content.payload, content.len,
                                    mode && strcmp(mode, "append") == 0, &err);
  if (error) { send_error(error, err); return; }
  result_field("bytes", "%u", content.len);
  send_result();
}

void op_read(const struct request *rq) {
  const char *error = NULL;
  char *path = strdup(field(rq, "path") ? field(rq, "path") : "");
  int fd = open_file(path, O_RDONLY, 0, &error);
  free(path);
  if (fd < 0) { send_error(error, errno); return; }
  struct stat st;
  long long max = field_num(rq, "max_bytes", 16 << 20);
  if (fstat(fd, &st) == 0 && st.st_size > max) {
    close(fd);
    result_field("error", "TooLarge");
    result_field("size", "%lld", (long long)st.st_size);
    send_result();
    return;
  }
  char buf[CHUNK];
  long long total = 0;
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0 && total < max) {
    send_frame('d', buf, (size_t)n);
    total += n;
  }
  close(fd);
  result_field("bytes", "%lld", total);
  send_result();
}

void op_mkdir(const struct request *rq) {
  const char *error = NULL;
  char *leaf, *path = strdup(field(rq, "path") ? field(rq, "path") : "");
  int dir = open_parent(path, 1, &leaf, &error);
  if (dir < 0) { free(path); send_error(error, errno); return; }
  int created = 0;
  if (*leaf) {
    struct stat st;
    if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0) {
      if (!S_ISDIR(st.st_mode)) {
        close(dir); free(path); send_error(S_ISLNK(st.st_mode) ? "Symlink" : "AlreadyExists", 0); return;
      }
    } else if (mkdirat(dir, leaf, 0755) == 0) created = 1;
    else { int e = errno; close(dir); free(path); send_error(e == ENOSPC ? "NoSpace" : "IoError", e); return; }
  }
  close(dir);
  free(path);
  result_field("created", "%d", created);
  send_result();
}

/* The file a copy is written to before it is renamed into place, beside its destination. */
static void copy_temp_name(char *name, size_t size) {
  static unsigned counter;
  snprintf(name, size, ".cb-copy-%d-%u", (int)getpid(), counter++);
}

/* Copies into a new file beside the destination, then renames it into place: a failed copy leaves no partial
 * destination, and a destination that is the source itself (`/workspace/./a`, a hard link) is never truncated:
 * the same file (device and inode) is a copy already made. */
void op_copy(const struct request *rq) {
  const char *error = NULL;
  char *src = strdup(field(rq, "path") ? field(rq, "path") : "");
  char *dst = strdup(field(rq, "dest") ? field(rq, "dest") : "");
  char *leaf;
  struct stat from, to;
  int in = open_file(src, O_RDONLY, 0, &error), e = errno;
  int dir = in < 0 ? -1 : open_parent(dst, 1, &leaf, &error);
  if (in >= 0 && dir < 0) e = errno;
  free(src);
  if (dir >= 0 && !*leaf) error = "IsADirectory";
  else if (dir >= 0 && fstatat(dir, leaf, &to, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISLNK(to.st_mode)) error = "Symlink";
    else if (S_ISDIR(to.st_mode)) error = "IsADirectory";
    else if (!S_ISREG(to.st_mode)) error = "NotARegularFile";
    else if (fstat(in, &from) == 0 && from.st_dev == to.st_dev && from.st_ino == to.st_ino) {
      close(in); close(dir); free(dst);
      result_field("bytes", "%lld", (long long)from.st_size);
      result_field("same_file", "1");
      send_result();
      return;
    }
  }
  if (in < 0 || dir < 0 || (error && *error)) {
    if (in >= 0) close(in);
    if (dir >= 0) close(dir);
    if (in >= 0) result_field("path", "%s", field(rq, "dest")); /* the destination was refused, not the source */
    free(dst);
    send_error(error, e);
    return;
  }
  char temp[64];
  copy_temp_name(temp, sizeof temp);
  int out = openat(dir, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  const char *failed = NULL;
  long long total = 0;
  if (out < 0) e = errno, failed = e == ENOSPC || e == EDQUOT ? "NoSpace" : "IoError";
  unsigned char buf[CHUNK];
  ssize_t n = 0;
  while (!failed && (n = read(in, buf, sizeof buf)) > 0) {
    if (write_fully(out, buf, (size_t)n) != 0) e = errno, failed = e == ENOSPC || e == EDQUOT || e == EFBIG ? "NoSpace" : "IoError";
    total += n;
  }
  if (!failed && n < 0) e = errno, failed = "IoError";
  if (out >= 0 && close(out) != 0 && !failed) e = errno, failed = e == ENOSPC ? "NoSpace" : "IoError";
  if (!failed && renameat(dir, temp, dir, leaf) != 0) e = errno, failed = e == EISDIR ? "IsADirectory" : "IoError";
  if (failed && out >= 0) unlinkat(dir, temp, 0);
  close(in);
  close(dir);
  free(dst);
  if (failed) {
    if (out < 0 || n >= 0) result_field("path", "%s", field(rq, "dest"));
    send_error(failed, e);
    return;
  }
  result_field("bytes", "%lld", total);
  send_result();
}

/* Removes a directory's contents without following links (each link is removed, not its target). */
static int remove_tree(int parent, const char *name) {
  int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -1;
  DIR *d = fdopendir(fd);
  if (!d) { close(fd); return -1; }
  struct dirent *e;
  int rc = 0;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    struct stat st;
    if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) { rc = -1; continue; }
    if (S_ISDIR(st.st_mode)) rc |= remove_tree(fd, e->d_name);
    else if (unlinkat(fd, e->d_name, 0) != 0) rc = -1;
  }
  closedir(d);
  return rc | unlinkat(parent, name, AT_REMOVEDIR);
}

/* Removes a file, a link or a directory tree under the workspace; returns NULL or the error code. */
const char *delete_path(char *path, int *was_directory) {
  const char *error = NULL;
  char *leaf;
  int dir = open_parent(path, 0, &leaf, &error);
  if (dir < 0) return error;
  if (!*leaf) { close(dir); return "WorkspaceRoot"; }
  struct stat st;
  int rc;
  if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) != 0) rc = -1;
  else rc = S_ISDIR(st.st_mode) ? remove_tree(dir, leaf) : unlinkat(dir, leaf, 0);
  int e = errno;
  close(dir);
  if (rc != 0) { errno = e; return e == ENOENT ? "NotFound" : "IoError"; }
  *was_directory = S_ISDIR(st.st_mode);
  return NULL;
}

void op_delete(const struct request *rq) {
  char *path = strdup(field(rq, "path") ? field(rq, "path") : "");
  int was_directory = 0;
  const char *error = delete_path(path, &was_directory);
  int e = errno;
  free(path);
  if (error) { send_error(error, e); return; }
  result_field("type", "%s", was_directory ? "directory" : "file");
  send_result();
}

static const char *type_name(mode_t mode) {
  return S_ISREG(mode) ? "file" : S_ISDIR(mode) ? "directory" : S_ISLNK(mode) ? "symlink" : "other";
}

void op_list(const struct request *rq) {
  const char *error = NULL;
  char *leaf, *path = strdup(field(rq, "path") ? field(rq, "path") : "");
  int parent = open_parent(path, 0, &leaf, &error);
  if (parent < 0) { free(path); send_error(error, errno); return; }
  struct stat st;
  if (*leaf && fstatat(parent, leaf, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    int e = errno; close(parent); free(path); send_error(e == ENOENT ? "NotFound" : "IoError", e); return;
  }
  if (*leaf && S_ISLNK(st.st_mode)) { close(parent); free(path); send_error("Symlink", 0); return; }
  if (*leaf && !S_ISDIR(st.st_mode)) { close(parent); free(path); send_error("NotADirectory", 0); return; }
  int fd = openat(parent, *leaf ? leaf : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  close(parent);
  free(path);
  DIR *d = fd < 0 ? NULL : fdopendir(fd);
  if (!d) { send_error("IoError", errno); return; }
  struct dirent *e;
  int count = 0;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    char entry[512];
    int n = snprintf(entry, sizeof entry, "%s%c%s%c%lld%c%lld", e->d_name, 0, type_name(st.st_mode), 0,
                     (long long)st.st_size, 0, (long long)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000);
    if (n > 0 && (size_t)n < sizeof entry) { send_frame('d', entry, (size_t)n); count++; }
  }
  closedir(d);
  result_field("count", "%d", count);
  send_result();
}

