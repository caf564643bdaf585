/*
 * C#'s launcher (docs/WARM.md, warm.launcher): mono itself, started ahead of the run with the run's runtime options
 * and a stand-in program, as `mono OPTIONS --profile=codebeaker /opt/codebeaker/warm/Program.exe`. This Mono
 * profiler module (libmono-profiler-codebeaker.so) does nothing but, once the runtime is initialised, wait for
 * the run's command line on fd 3 and run its program the way mono's own driver runs the program it is given
 * (mono_main: open the assembly, mono_jit_exec, wait for the program's threads, clean up, exit with
 * Environment.ExitCode). So the program gets the same arguments, entry assembly, application base, unhandled
 * exception output and exit code as `mono OPTIONS PROGRAM.exe ARGS`; what it saves is mono starting.
 *
 * A command line with other runtime options than the launcher's own is run as it is (exec), cold.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The embedding API mono-sgen exports (mono/jit/jit.h, mono/metadata): no development package needed. */
typedef struct _MonoDomain MonoDomain;
typedef struct _MonoAssembly MonoAssembly;
typedef struct _MonoProfiler MonoProfiler;
typedef struct _MonoProfilerDesc *MonoProfilerHandle;
typedef struct _MonoImage MonoImage;
typedef struct _MonoClass MonoClass;
typedef struct _MonoMethod MonoMethod;
typedef struct _MonoMethodDesc MonoMethodDesc;
typedef struct _MonoObject MonoObject;
extern MonoProfilerHandle mono_profiler_create(MonoProfiler *profiler);
extern void mono_profiler_set_runtime_initialized_callback(MonoProfilerHandle handle, void (*callback)(MonoProfiler *));
extern MonoDomain *mono_get_root_domain(void);
extern const char *mono_domain_get_friendly_name(MonoDomain *domain);
extern MonoAssembly *mono_assembly_open(const char *filename, int *status);
extern const char *mono_image_strerror(int status);
extern int mono_jit_exec(MonoDomain *domain, MonoAssembly *assembly, int argc, char *argv[]);
extern void mono_jit_cleanup(MonoDomain *domain);
extern int mono_environment_exitcode_get(void);
extern MonoImage *mono_get_corlib(void);
extern MonoClass *mono_class_from_name(MonoImage *image, const char *name_space, const char *name);
extern MonoMethodDesc *mono_method_desc_new(const char *name, int include_namespace);
extern MonoMethod *mono_method_desc_search_in_class(MonoMethodDesc *desc, MonoClass *klass);
extern void mono_method_desc_free(MonoMethodDesc *desc);
extern void *mono_compile_method(MonoMethod *method);
extern MonoObject *mono_runtime_invoke(MonoMethod *method, void *obj, void **params, MonoObject **exc);

#define GO_FD 3
#define PROFILER_OPTION "--profile=codebeaker"

/* Everything on fd 3 up to end of file. */
static char *read_go(size_t *size) {
  size_t capacity = 4096;
  char *buffer = malloc(capacity);
  *size = 0;
  for (;;) {
    if (*size == capacity && !(buffer = realloc(buffer, capacity *= 2))) return NULL;
    ssize_t n = read(GO_FD, buffer + *size, capacity - *size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return NULL;
    if (n == 0) break;
    *size += (size_t)n;
  }
  close(GO_FD);
  return buffer;
}

/* The runtime options mono was started with: its arguments before the program, but this module's own. */
static char **own_options(int *count) {
  static char buffer[8192];
  FILE *file = fopen("/proc/self/cmdline", "r");
  size_t size = file ? fread(buffer, 1, sizeof buffer - 1, file) : 0;
  if (file) fclose(file);
  char **options = calloc(64, sizeof *options);
  *count = 0;
  for (size_t at = strlen(buffer) + 1; at < size && *count < 63; at += strlen(buffer + at) + 1) {
    char *argument = buffer + at;
    if (argument[0] != '-') break;
    if (strcmp(argument, PROFILER_OPTION) != 0) options[(*count)++] = argument;
  }
  return options;
}

/*
 * What nearly every program does first, done ahead: Console's writers for fd 1 and 2 made (as the program's first
 * write would make them: from the same environment, writing nothing) and Console's common methods compiled.
 */
static void warm_up(void) {
  MonoClass *console = mono_class_from_name(mono_get_corlib(), "System", "Console");
  static const char *const run[] = {"System.Console:get_Out()", "System.Console:get_Error()"};
  static const char *const compile[] = {
    "System.Console:WriteLine(string)", "System.Console:WriteLine(object)", "System.Console:WriteLine(string,object)",
    "System.Console:Write(string)", "System.Console:ReadLine()",
  };
  for (size_t i = 0; console && i < sizeof run / sizeof *run + sizeof compile / sizeof *compile; i++) {
    int invoke = i < sizeof run / sizeof *run;
    MonoMethodDesc *desc = mono_method_desc_new(invoke ? run[i] : compile[i - sizeof run / sizeof *run], 1);
    MonoMethod *method = desc ? mono_method_desc_search_in_class(desc, console) : NULL;
    if (desc) mono_method_desc_free(desc);
    if (!method) continue;
    MonoObject *exception = NULL;
    if (invoke) mono_runtime_invoke(method, NULL, NULL, &exception);
    else mono_compile_method(method);
  }
}

/*
 * Mono names the root domain (AppDomain.FriendlyName) after the file it was given, here the stand-in: it is renamed
 * after the program. The name is one pointer in MonoDomain, which the embedding API reads but does not set: the
 * word of the domain that holds the pointer mono_domain_get_friendly_name returns is the one replaced.
 */
static void name_domain(MonoDomain *domain, const char *program) {
  const char *slash = strrchr(program, '/');
  const char *name = slash ? slash + 1 : program;
  const char *current = mono_domain_get_friendly_name(domain);
  if (!current || strcmp(current, name) == 0) return;
  const char **words = (const char **)domain;
  for (int i = 0; i < 64; i++) {
    if (words[i] == current) {
      words[i] = strdup(name);
      return;
    }
  }
}

static int is_mono(const char *command) {
  const char *slash = strrchr(command, '/');
  return strcmp(slash ? slash + 1 : command, "mono") == 0;
}

static void run(MonoProfiler *profiler) {
  (void)profiler;
  warm_up();
  size_t size;
  char *go = read_go(&size);
  if (!go) _exit(1);
  if (size == 0) _exit(0); /* the runner is discarding this launcher */
  /* cwd=DIR, then arg=ARGUMENT for each argument of the cold command line, each NUL-terminated. */
  char **argv = calloc(size / 5 + 2, sizeof *argv);
  const char *cwd = NULL;
  int argc = 0;
  if (go[size - 1] != '\0') _exit(1);
  for (size_t at = 0; at < size; at += strlen(go + at) + 1) {
    if (!cwd && strncmp(go + at, "cwd=", 4) == 0) cwd = go + at + 4;
    else if (strncmp(go + at, "arg=", 4) == 0) argv[argc++] = go + at + 4;
  }
  if (!cwd || argc == 0) _exit(1);
  if (chdir(cwd) < 0) {
    fprintf(stderr, "cannot change to %s: %s\n", cwd, strerror(errno));
    _exit(1);
  }

  int count, program = 1;
  char **options = own_options(&count);
  while (program < argc && argv[program][0] == '-') program++;
  int same = is_mono(argv[0]) && program - 1 == count && program < argc;
  for (int i = 0; same && i < count; i++) same = strcmp(options[i], argv[i + 1]) == 0;
  if (!same) {
    execvp(argv[0], argv);
    fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }

  /* From here on, what mono_main does with its program (mono/mini/driver.c). */
  MonoDomain *domain = mono_get_root_domain();
  name_domain(domain, argv[program]);
  int status = 0;
  MonoAssembly *assembly = mono_assembly_open(argv[program], &status);
  if (!assembly) {
    fprintf(stderr, "Cannot open assembly '%s': %s.\n", argv[program], mono_image_strerror(status));
    mono_jit_cleanup(domain);
    exit(2);
  }
  mono_jit_exec(domain, assembly, argc - program, argv + program);
  mono_jit_cleanup(domain);
  exit(mono_environment_exitcode_get());
}

void mono_profiler_init_codebeaker(const char *description) {
  (void)description;
  mono_profiler_set_runtime_initialized_callback(mono_profiler_create(NULL), run);
}
