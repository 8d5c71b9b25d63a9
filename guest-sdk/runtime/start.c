/* C start-up, called by crt0.S with sp, gp and tp set: runs the
 * constructors, then main, then exit (which runs atexit handlers and
 * destructors and ends in _exit, which flushes the output channels). */
#include <stdlib.h>

typedef void (*zkvm_ctor_fn)(void);
extern zkvm_ctor_fn __preinit_array_start[], __preinit_array_end[];
extern zkvm_ctor_fn __init_array_start[], __init_array_end[];

int main(int argc, char **argv);

/* The guest has no command line; argv[0] is a fixed name, argv[1] NULL. */
static char g_prog_name[] = "guest";
static char *g_argv[] = {g_prog_name, NULL};

__attribute__((noreturn, used)) void __zkvm_start(void) {
  for (zkvm_ctor_fn *f = __preinit_array_start; f < __preinit_array_end; ++f) (*f)();
  for (zkvm_ctor_fn *f = __init_array_start; f < __init_array_end; ++f) (*f)();
  exit(main(1, g_argv));
}
