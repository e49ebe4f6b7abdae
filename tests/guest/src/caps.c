/* The capability calls libcap-ng makes (setpriv, man-db's triggers in a package installation):
   capget's version probe (a null data pointer: the kernel writes its version into the header),
   the securebits, the ambient set and the bounding set. */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  struct __user_cap_header_struct hdr = {0, 0};
  long r = syscall(SYS_capget, &hdr, NULL);
  printf("capget probe: %ld, version %#x\n", r, hdr.version);
  printf("PR_GET_SECUREBITS: %d\n", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
  printf("PR_CAP_AMBIENT IS_SET CAP_CHOWN: %d\n", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_CHOWN, 0, 0));
  r = prctl(PR_CAP_AMBIENT, 99, 0, 0, 0);
  printf("PR_CAP_AMBIENT bad op: %ld %s\n", r, r < 0 ? strerror(errno) : "");
  printf("PR_CAPBSET_READ CAP_CHOWN: %d\n", prctl(PR_CAPBSET_READ, CAP_CHOWN, 0, 0, 0));
  return 0;
}
