/* printf formats through picolibc's tinystdio and the SDK's buffered
 * stdout/stderr, plus errno (thread-local in picolibc: needs tp set up). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include <zkvm/guest.h>

/* Guest thread-locals live in the TLS template in place (crt0 sets tp):
 * one initialised (.tdata), one zero (.tbss). */
static _Thread_local int tl_init = 41;
static _Thread_local long long tl_zero;

int main(void) {
  printf("int %d %i %+d % d %05d %-5d| %d %d\n", 42, -42, 7, 7, 42, 42, INT_MIN, INT_MAX);
  printf("unsigned %u %x %X %o %#x %#o %08x\n", 4000000000u, 0xdeadbeefu, 0xdeadbeefu, 8u, 255u, 8u,
         0xabcu);
  printf("long long %lld %llu %llx\n", LLONG_MIN, ULLONG_MAX, 0x0123456789abcdefULL);
  printf("inttypes %" PRId64 " %" PRIu32 " %" PRIx16 "\n", (int64_t)-5000000000LL, (uint32_t)123,
         (uint16_t)0xbeef);
  printf("char %c%c%c string [%s] [%10s] [%-10s] [%.3s]\n", 'z', 'k', 'v', "m", "right", "left",
         "truncate");
  printf("size %zu ptrdiff %td percent %%\n", (size_t)123456, (ptrdiff_t)-99);
  printf("double %f %.3f %e %g %g %.0f %10.4f\n", 3.14159265358979, -2.5, 12345.678, 0.0001, 1e20,
         2.5, 1.0 / 3.0);
  char buf[32];
  int n = snprintf(buf, sizeof buf, "%s-%d-%s", "abc", 12345, "a long tail that is cut");
  printf("snprintf returned %d, kept [%s]\n", n, buf);

  errno = 0;
  long v = strtol("99999999999999999999", NULL, 10);
  printf("strtol overflow: %ld errno==ERANGE: %d\n", v, errno == ERANGE);

  tl_init++;
  tl_zero += 5;
  printf("thread-locals %d %lld\n", tl_init, tl_zero);

  fprintf(stderr, "to stderr: %d\n", 7);
  fputs("no newline at the end, flushed by exit", stdout);
  return 0;
}
