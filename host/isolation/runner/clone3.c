/* Makes clone3 fail with ENOSYS for the program, as Docker's default seccomp profile does under runc.
 *
 * glibc starts threads with clone3 and falls back to clone only on ENOSYS. Docker's profile answers clone3 with
 * ENOSYS through its `errnoRet`, which gVisor's --oci-seccomp does not honour: there clone3 failed with EPERM, and
 * Node.js aborted at start, Python could not start a thread. A filter of our own, installed last, decides between
 * two ERRNO answers (the most recent filter wins a tie), so threads start on every backend alike. The filter only
 * narrows what the program may do: everything else is left to the sandbox's own policy. */
#include "cb-runner.h"
#include <stddef.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#ifndef __NR_clone3
#define __NR_clone3 435
#endif

#if defined(__x86_64__)
#define CB_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define CB_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

void refuse_clone3(void) {
#ifdef CB_AUDIT_ARCH
  struct sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, CB_AUDIT_ARCH, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW), /* another ABI: not ours to judge */
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog program = {(unsigned short)(sizeof code / sizeof code[0]), code};
  /* A filter needs no_new_privs; every backend sets it already, and the program can gain nothing from its absence. */
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  /* Without seccomp here, the program simply meets the sandbox's own answer to clone3. */
  prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program);
#endif
}
