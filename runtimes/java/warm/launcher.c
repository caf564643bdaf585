/*
 * Java's warm launcher (docs/WARM.md): `java-launcher java <the run line's options>`. It starts a JVM with those
 * options as the `java` launcher would, then waits on fd 3 for the cold command line (`java <options> Main args…`)
 * and runs it as `java` does: the same JNI calls, in the same order, on the same kind of thread (what `java`'s
 * libjli does in JavaMain). So the program sees a cold run's JVM: its input arguments and system properties,
 * no frame under main, identity hashes and thread ids that depend only on the program, and `java`'s own
 * messages and exit codes for a missing class or main method, an uncaught exception (exit 1 once every
 * non-daemon thread has ended), System.exit.
 *
 * The JVM reads its class path when it starts, and takes an entry that is not a folder then for a jar, for good:
 * the runner makes the build folder before it starts a warm part; any class path entry that was missing when the
 * JVM started and is there at "go" makes the run cold.
 *
 * Whatever this cannot start ahead (options it does not know, a JAVA_OPTIONS-like environment variable, a
 * command line other than its own plus a class and arguments, a working directory other than its own, which
 * the JVM has read into user.dir) runs the cold command line instead, by exec.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <jni.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GO_FD 3
#define LM_CLASS 1 /* LauncherHelper's mode for a main class named on the command line */

/* What JNI_GetDefaultJavaVMInitArgs still fills for version 1.1: the default Java stack size (as libjli asks). */
struct jdk1_1_init_args {
  jint version;
  char **properties;
  jint checkSource, nativeStackSize, javaStackSize, minHeapSize, maxHeapSize, verifyMode;
  char *classpath;
  void *vfprintf, *exit, *abort;
  jint enableClassGC, enableVerboseGC, disableAsyncGC, verbose;
  jboolean debugging;
  jint debugPort;
};

typedef jint(JNICALL *create_vm_fn)(JavaVM **, void **, void *);
typedef jint(JNICALL *default_args_fn)(void *);
typedef jclass(JNICALL *boot_class_fn)(JNIEnv *, const char *);

/* The launcher's own command line: `java` and its options, as the run line has them before the class name. */
static char **own_argv;
static int own_argc;
/* The options given to the JVM, in the order libjli gives them. */
static JavaVMOption options[256];
static int option_count;
static size_t stack_size;
static create_vm_fn create_vm;
/* Class path entries that were missing when the JVM started. */
static char *missing[64];
static int missing_count;
/* The JDK's feature version: 17 to 21 and 25 are the ones whose JavaMain this does. */
static int jdk_major;
static boot_class_fn boot_class;

static void fail(const char *what) {
  fprintf(stderr, "java warm launcher: %s: %s\n", what, strerror(errno));
  exit(127);
}

static void add_option(char *text) {
  if (option_count == (int)(sizeof options / sizeof options[0])) {
    errno = E2BIG;
    fail("too many options");
  }
  options[option_count++].optionString = text;
}

static char *joined(const char *a, const char *b) {
  char *text;
  if (asprintf(&text, "%s%s", a, b) < 0) fail("asprintf");
  return text;
}

/* The size libjli parses from -Xss (its parse_size): digits and one optional unit. */
static size_t parse_size(const char *s) {
  char *end;
  unsigned long long n = strtoull(s, &end, 10);
  if (end == s || strlen(end) > 1) return 0;
  switch (*end) {
  case 'T': case 't': return n << 40;
  case 'G': case 'g': return n << 30;
  case 'M': case 'm': return n << 20;
  case 'K': case 'k': return n << 10;
  case '\0': return n;
  default: return 0;
  }
}

/* An option `java` hands to the JVM unchanged (and that needs nothing else from libjli). */
static int plain_vm_option(const char *arg) {
  static const char *const exact[] = {"-ea", "-da", "-esa", "-dsa", "-enableassertions", "-disableassertions",
                                      "-enablesystemassertions", "-disablesystemassertions", "-Xint", "-Xmixed",
                                      "-Xcomp", "-Xbatch", "-Xrs", NULL};
  static const char *const prefixes[] = {"-D", "-Xmx", "-Xms", "-Xmn", "-Xss", "-ea:", "-da:",
                                         "-enableassertions:", "-disableassertions:", "-verbose:", NULL};
  for (const char *const *e = exact; *e; e++)
    if (!strcmp(arg, *e)) return 1;
  for (const char *const *p = prefixes; *p; p++)
    if (!strncmp(arg, *p, strlen(*p))) return 1;
  return !strncmp(arg, "-XX:", 4) && strncmp(arg, "-XX:Flags=", 10) && strncmp(arg, "-XX:VMOptionsFile=", 18) &&
         strncmp(arg, "-XX:NativeMemoryTracking", 24) && strncmp(arg, "-XX:+Print", 10) &&
         strncmp(arg, "-XX:-Print", 10);
}

/* A class path with each wildcard entry (a folder and `*`, not itself a file) replaced by its .jar files in directory
 * order, as libjli's JLI_WildcardExpandClasspath does (which libjli does not export). */
static char *expand_classpath(const char *classpath) {
  if (!strchr(classpath, '*')) return (char *)classpath;
  size_t cap = strlen(classpath) + 1, len = 0;
  char *out = malloc(cap), *copy = strdup(classpath);
  int expanded = 0;
  if (!out || !copy) fail("malloc");
  out[0] = '\0';
  for (char *entry = copy, *next; entry; entry = next) {
    next = strchr(entry, ':');
    if (next) *next++ = '\0';
    size_t n = strlen(entry);
    int wildcard = n > 0 && entry[n - 1] == '*' && (n == 1 || entry[n - 2] == '/') && access(entry, F_OK) != 0;
    DIR *dir = NULL;
    if (wildcard) {
      entry[n - 1] = '\0';
      dir = opendir(n == 1 ? "." : entry);
    }
    int added = 0;
    for (struct dirent *d; dir && (d = readdir(dir));) {
      size_t m = strlen(d->d_name);
      if (m < 4 || d->d_name[m - 4] != '.' || (strcmp(d->d_name + m - 3, "jar") && strcmp(d->d_name + m - 3, "JAR")) ||
          strchr(d->d_name, ':'))
        continue;
      while (len + n + m + 2 > cap && (out = realloc(out, cap *= 2))) {}
      if (!out) fail("realloc");
      len += (size_t)sprintf(out + len, "%s%s%s", len || entry != copy ? ":" : "", entry, d->d_name);
      added = 1;
    }
    if (dir) closedir(dir);
    if (added) {
      expanded = 1;
      continue;
    }
    if (wildcard) entry[n - 1] = '*';
    while (len + n + 2 > cap && (out = realloc(out, cap *= 2))) {}
    if (!out) fail("realloc");
    len += (size_t)sprintf(out + len, "%s%s", entry != copy ? ":" : "", entry);
  }
  free(copy);
  return expanded ? out : (char *)classpath;
}

/* Remembers the entries of a class path that do not exist now. */
static void note_missing(const char *classpath) {
  char *copy = strdup(classpath);
  if (!copy) fail("strdup");
  for (char *entry = strtok(copy, ":"); entry; entry = strtok(NULL, ":"))
    if (access(entry, F_OK) != 0 && missing_count < (int)(sizeof missing / sizeof missing[0]) && !strchr(entry, '*'))
      missing[missing_count++] = strdup(entry);
  free(copy);
}

/* Whether an entry missing when the JVM started is there now: the JVM took it for a jar. */
static int missing_appeared(void) {
  for (int i = 0; i < missing_count; i++)
    if (access(missing[i], F_OK) == 0) return 1;
  return 0;
}

/* The JVM options for the launcher's command line, as libjli's ParseArguments would add them; 0 when the
 * command line needs more of libjli than this does (it then waits and runs the cold command line). */
static int plan_options(void) {
  for (int i = 1; i < own_argc; i++) {
    const char *arg = own_argv[i];
    if (!strcmp(arg, "-cp") || !strcmp(arg, "-classpath") || !strcmp(arg, "--class-path")) {
      if (++i == own_argc) return 0;
      note_missing(own_argv[i]);
      add_option(joined("-Djava.class.path=", expand_classpath(own_argv[i])));
    } else if (!strncmp(arg, "--class-path=", 13)) {
      note_missing(arg + 13);
      add_option(joined("-Djava.class.path=", expand_classpath(arg + 13)));
    } else if (plain_vm_option(arg)) {
      add_option((char *)arg);
      if (!strncmp(arg, "-Xss", 4) && parse_size(arg + 4) > 0) stack_size = parse_size(arg + 4);
    } else {
      return 0;
    }
  }
  add_option("-Dsun.java.launcher=SUN_STANDARD");
  return 1;
}

/* Environment variables through which libjli changes what a cold `java` does or prints. */
static int environment_is_plain(void) {
  static const char *const names[] = {"JDK_JAVA_OPTIONS", "CLASSPATH", "_JAVA_LAUNCHER_DEBUG", "JDK_ALTERNATE_VM",
                                      NULL};
  for (const char *const *n = names; *n; n++)
    if (getenv(*n)) return 0;
  return 1;
}

/* <home> of the JDK whose <home>/bin/java `java` names here, found as execvp would find it. */
static char *java_home(const char *command) {
  char candidate[PATH_MAX], real[PATH_MAX];
  const char *path = getenv("PATH");
  int found = 0;
  if (strchr(command, '/')) {
    found = realpath(command, real) != NULL;
  } else {
    for (const char *dir = path ? path : "/usr/bin:/bin"; !found && dir; dir = strchr(dir, ':') ? strchr(dir, ':') + 1 : NULL) {
      int len = strchr(dir, ':') ? (int)(strchr(dir, ':') - dir) : (int)strlen(dir);
      snprintf(candidate, sizeof candidate, "%.*s/%s", len, len ? dir : ".", command);
      found = access(candidate, X_OK) == 0 && realpath(candidate, real);
    }
  }
  char *bin = found ? strrchr(real, '/') : NULL;
  if (!bin) return NULL;
  *bin = '\0';
  bin = strrchr(real, '/');
  if (!bin || strcmp(bin, "/bin")) return NULL;
  *bin = '\0';
  return strdup(real);
}

/* The go message: 0 with cwd and argv filled, or -1 when fd 3 closed with nothing on it. */
static int read_go(char **cwd, char ***argv) {
  size_t size = 0, cap = 4096;
  char *buf = malloc(cap);
  if (!buf) fail("malloc");
  for (;;) {
    if (size == cap && !(buf = realloc(buf, cap *= 2))) fail("realloc");
    ssize_t n = read(GO_FD, buf + size, cap - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("reading fd 3");
    if (n == 0) break;
    size += (size_t)n;
  }
  close(GO_FD);
  if (size == 0) return -1;
  int argc = 0;
  *argv = calloc(size + 1, sizeof **argv);
  *cwd = NULL;
  if (!*argv) fail("calloc");
  for (size_t at = 0; at < size;) {
    char *field = buf + at;
    size_t len = strnlen(field, size - at);
    field[len < size - at ? len : size - at - 1] = '\0';
    if (!strncmp(field, "cwd=", 4)) *cwd = field + 4;
    else if (!strncmp(field, "arg=", 4)) (*argv)[argc++] = field + 4;
    at += len + 1;
  }
  return *cwd && argc ? 0 : -1;
}

static void run_cold(const char *cwd, char **argv) {
  if (chdir(cwd) != 0) fail(cwd);
  execvp(argv[0], argv);
  fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
  _exit(127);
}

/* Whether this JVM is the one the cold command line would start: its own options, then a class name. */
static int same_jvm(const char *cwd, char **argv) {
  char here[PATH_MAX], there[PATH_MAX];
  if (!getcwd(here, sizeof here) || !realpath(cwd, there) || strcmp(here, there)) return 0;
  for (int i = 0; i < own_argc; i++)
    if (!argv[i] || strcmp(argv[i], own_argv[i])) return 0;
  return argv[own_argc] && argv[own_argc][0] != '-' && argv[own_argc][0] != '@';
}

/* ---- What libjli's JavaMain does once the JVM is up, by the same JNI calls. ---- */

static jclass helper_class(JNIEnv *env) { return boot_class(env, "sun/launcher/LauncherHelper"); }

static jstring platform_string(JNIEnv *env, const char *s) {
  jclass helper = helper_class(env);
  if (!helper) return NULL;
  jsize len = (jsize)strlen(s);
  jbyteArray bytes = (*env)->NewByteArray(env, len);
  if (!bytes) return NULL;
  (*env)->SetByteArrayRegion(env, bytes, 0, len, (const jbyte *)s);
  if ((*env)->ExceptionCheck(env)) return NULL;
  jmethodID make = (*env)->GetStaticMethodID(env, helper, "makePlatformString", "(Z[B)Ljava/lang/String;");
  if (!make) return NULL;
  jstring str = (*env)->CallStaticObjectMethod(env, helper, make, JNI_TRUE, bytes);
  (*env)->DeleteLocalRef(env, bytes);
  return str;
}

static jobjectArray platform_strings(JNIEnv *env, char **strings, int count) {
  jclass string = boot_class(env, "java/lang/String");
  if (!string) return NULL;
  jobjectArray array = (*env)->NewObjectArray(env, count, string, NULL);
  for (int i = 0; array && i < count; i++) {
    jstring s = platform_string(env, strings[i]);
    if (!s) return NULL;
    (*env)->SetObjectArrayElement(env, array, i, s);
    (*env)->DeleteLocalRef(env, s);
  }
  return array;
}

/* libjli gives the JVM -Dsun.java.command=<class> <args…>; the class is known only now, so it is set now. */
static int set_java_command(JNIEnv *env, char *main_class, char **args, int count) {
  size_t len = strlen(main_class) + 1;
  for (int i = 0; i < count; i++) len += strlen(args[i]) + 1;
  char *command = malloc(len);
  if (!command) fail("malloc");
  strcpy(command, main_class);
  for (int i = 0; i < count; i++) strcat(strcat(command, " "), args[i]);
  jclass system = boot_class(env, "java/lang/System");
  jmethodID set = system ? (*env)->GetStaticMethodID(env, system, "setProperty",
                                                     "(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;")
                         : NULL;
  jstring key = set ? (*env)->NewStringUTF(env, "sun.java.command") : NULL;
  jstring value = key ? platform_string(env, command) : NULL;
  free(command);
  if (!value) return 0;
  (*env)->CallStaticObjectMethod(env, system, set, key, value);
  return !(*env)->ExceptionCheck(env);
}

/* Invokes main as libjli's invoke*Main functions do: 1 when invoked (perhaps with an exception pending), 0 when
 * the method or the constructor it needs is missing (an exception pending). */
static int invoke_main(JNIEnv *env, jclass main_class, jobjectArray args, int is_static, int no_args) {
  const char *signature = no_args ? "()V" : "([Ljava/lang/String;)V";
  if (is_static) {
    jmethodID main = (*env)->GetStaticMethodID(env, main_class, "main", signature);
    if (!main) return 0;
    if (no_args) (*env)->CallStaticVoidMethod(env, main_class, main);
    else (*env)->CallStaticVoidMethod(env, main_class, main, args);
    return 1;
  }
  jmethodID constructor = (*env)->GetMethodID(env, main_class, "<init>", "()V");
  if (!constructor) return 0;
  jobject instance = (*env)->NewObject(env, main_class, constructor);
  if (!instance) return 0;
  jmethodID main = (*env)->GetMethodID(env, main_class, "main", signature);
  if (!main) return 0;
  if (no_args) (*env)->CallVoidMethod(env, instance, main);
  else (*env)->CallVoidMethod(env, instance, main, args);
  return 1;
}

/* How this JDK's libjli tells the main method's kind: nothing (JDK 17 to 20: static, with String[]),
 * LauncherHelper.getMainType() (JDK 21: bit 1 no arguments, bit 2 an instance method), LauncherHelper's
 * isStaticMain and noArgMain fields (JDK 25). Looked up for this JDK only: a failed lookup throws, and an error
 * made on the main thread would change the identity hashes the program sees. -1 with an exception pending. */
static int main_kind(JNIEnv *env, int *is_static, int *no_args) {
  *is_static = 1;
  *no_args = 0;
  if (jdk_major < 21) return 0;
  jclass helper = helper_class(env);
  if (!helper) return -1;
  if (jdk_major == 21) {
    jmethodID get_type = (*env)->GetStaticMethodID(env, helper, "getMainType", "()I");
    jint type = get_type ? (*env)->CallStaticIntMethod(env, helper, get_type) : 0;
    if ((*env)->ExceptionCheck(env)) return -1;
    *is_static = !(type & 2);
    *no_args = type & 1;
    return 0;
  }
  jfieldID static_field = (*env)->GetStaticFieldID(env, helper, "isStaticMain", "Z");
  jfieldID no_args_field = static_field ? (*env)->GetStaticFieldID(env, helper, "noArgMain", "Z") : NULL;
  if (!no_args_field) return -1;
  *is_static = (*env)->GetStaticBooleanField(env, helper, static_field);
  *no_args = (*env)->GetStaticBooleanField(env, helper, no_args_field);
  return 0;
}

/* The feature version in <home>/release (JAVA_VERSION="21.0.8"), 0 when unreadable. */
static int release_major(const char *home) {
  char path[PATH_MAX], line[256];
  int major = 0;
  snprintf(path, sizeof path, "%s/release", home);
  FILE *release = fopen(path, "r");
  while (release && fgets(line, sizeof line, release))
    if (!strncmp(line, "JAVA_VERSION=\"", 14)) major = atoi(line + 14);
  if (release) fclose(release);
  return major;
}

struct program {
  JavaVM *vm;
  JNIEnv *env;
};

/* libjli's LEAVE(): the main thread detaches (an uncaught exception is printed then, by the thread's handler)
 * and DestroyJavaVM waits for the other non-daemon threads. */
static int leave(struct program *p, int ret) {
  if ((*p->vm)->DetachCurrentThread(p->vm) != JNI_OK) {
    fprintf(stderr, "Error: Could not detach main thread.\n");
    ret = 1;
  }
  (*p->vm)->DestroyJavaVM(p->vm);
  return ret;
}

/* libjli's CHECK_EXCEPTION_NULL_LEAVE and CHECK_EXCEPTION_LEAVE. */
static int check_failed(struct program *p, const void *result) {
  if ((*p->env)->ExceptionCheck(p->env)) {
    (*p->env)->ExceptionDescribe(p->env);
    return 1;
  }
  if (!result) {
    fprintf(stderr, "Error: A JNI error has occurred, please check your installation and try again\n");
    return 1;
  }
  return 0;
}

static int run_main(struct program *p, char *main_name, char **args, int count) {
  JNIEnv *env = p->env;
  if (!set_java_command(env, main_name, args, count) && check_failed(p, NULL)) return leave(p, 1);
  jclass helper = helper_class(env);
  if (check_failed(p, helper)) return leave(p, 1);
  jmethodID load = (*env)->GetStaticMethodID(env, helper, "checkAndLoadMain", "(ZILjava/lang/String;)Ljava/lang/Class;");
  jstring name = load ? platform_string(env, main_name) : NULL;
  jclass main_class = name ? (*env)->CallStaticObjectMethod(env, helper, load, JNI_TRUE, LM_CLASS, name) : NULL;
  if (check_failed(p, main_class)) return leave(p, 1);
  jmethodID get_app = (*env)->GetStaticMethodID(env, helper, "getApplicationClass", "()Ljava/lang/Class;");
  jclass app_class = get_app ? (*env)->CallStaticObjectMethod(env, helper, get_app) : NULL;
  if (check_failed(p, app_class)) return leave(p, 1);
  jobjectArray main_args = platform_strings(env, args, count);
  if (check_failed(p, main_args)) return leave(p, 1);
  int is_static, no_args;
  if (main_kind(env, &is_static, &no_args) < 0) {
    check_failed(p, NULL);
    return leave(p, 1);
  }
  int invoked = invoke_main(env, main_class, main_args, is_static, no_args);
  if (!invoked && check_failed(p, NULL)) return leave(p, 1);
  return leave(p, invoked && !(*env)->ExceptionCheck(env) ? 0 : 1);
}

static void *java_main(void *unused) {
  (void)unused;
  struct program p;
  JavaVMInitArgs args = {.version = JNI_VERSION_1_2, .nOptions = option_count, .options = options,
                         .ignoreUnrecognized = JNI_FALSE};
  if (create_vm(&p.vm, (void **)&p.env, &args) != JNI_OK) {
    fprintf(stderr, "Error: Could not create the Java Virtual Machine.\n"
                    "Error: A fatal exception has occurred. Program will exit.\n");
    exit(1);
  }
  char *cwd, **argv;
  if (read_go(&cwd, &argv) < 0) _exit(0);
  if (!same_jvm(cwd, argv) || missing_appeared()) run_cold(cwd, argv);
  int count = 0;
  while (argv[own_argc + 1 + count]) count++;
  return (void *)(intptr_t)run_main(&p, argv[own_argc], argv + own_argc + 1, count);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: java-launcher java [options...]\n");
    return 2;
  }
  own_argv = argv + 1;
  own_argc = argc - 1;
  char *home = environment_is_plain() ? java_home(own_argv[0]) : NULL;
  jdk_major = home ? release_major(home) : 0;
  if ((jdk_major < 17 || jdk_major > 21) && jdk_major != 25) home = NULL;
  char path[PATH_MAX];
  void *jvm = NULL;
  if (home) {
    snprintf(path, sizeof path, "%s/lib/server/libjvm.so", home);
    jvm = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
  }
  default_args_fn default_args = jvm ? (default_args_fn)dlsym(jvm, "JNI_GetDefaultJavaVMInitArgs") : NULL;
  create_vm = jvm ? (create_vm_fn)dlsym(jvm, "JNI_CreateJavaVM") : NULL;
  boot_class = jvm ? (boot_class_fn)dlsym(jvm, "JVM_FindClassFromBootLoader") : NULL;
  if (!default_args || !create_vm || !boot_class || !plan_options()) {
    char *cwd, **go;
    if (read_go(&cwd, &go) < 0) return 0;
    run_cold(cwd, go);
  }
  if (stack_size == 0) {
    struct jdk1_1_init_args defaults = {.version = JNI_VERSION_1_1};
    default_args(&defaults);
    if (defaults.javaStackSize > 0) stack_size = (size_t)defaults.javaStackSize;
  }
  /* As libjli: main runs in a new thread of the JVM's stack size, without a pthread guard page. */
  pthread_attr_t attr;
  pthread_t thread;
  void *ret = (void *)1;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_JOINABLE);
  if (stack_size > 0) pthread_attr_setstacksize(&attr, stack_size);
  pthread_attr_setguardsize(&attr, 0);
  if (pthread_create(&thread, &attr, java_main, NULL) != 0) fail("pthread_create");
  pthread_join(thread, &ret);
  return (int)(intptr_t)ret;
}
