/* The POSIX layer picolibc needs (read, write, _exit, sbrk, ...), the stdio
 * streams, and the buffered channels behind them.
 *
 * Output (fd 1 stdout, 2 stderr, 3 journal) is buffered per fd and written
 * with one write ecall per line (stdout/stderr) or per full buffer, and
 * flushed by every exit path (_exit), so a guest pays few ecalls and the
 * byte streams are identical under the zkvm and qemu-riscv32. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "zkvm/guest.h"
#include "zkvm/syscall.h"
#include "runtime_internal.h"

/* ---- output channels -------------------------------------------------- */

#define ZKVM_OUT_BUF 512

/* g_out[fd - 1] serves fd 1 (stdout), 2 (stderr), 3 (journal); zero-initialised
 * so the buffers live in .bss, not in the ELF's file bytes. */
struct out_chan {
  size_t len;
  char buf[ZKVM_OUT_BUF];
};

static struct out_chan g_out[3];

static int chan_fd(const struct out_chan *c) { return (int)(c - g_out) + 1; }
/* The log is line-buffered so it interleaves sensibly; the journal is not. */
static int chan_line_buffered(const struct out_chan *c) { return chan_fd(c) != ZKVM_FD_JOURNAL; }

/* Writes all of [p, p+n) to fd. The ABI's write returns len; a short or
 * failed write only happens under qemu (e.g. fd 3 not redirected): the bytes
 * are dropped then, since a guest has nowhere to report it. */
static void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    long r = zkvm_sys_write(fd, p, n);
    if (r <= 0) return;
    p += r;
    n -= (size_t)r;
  }
}

static void chan_flush(struct out_chan *c) {
  if (c->len) {
    write_all(chan_fd(c), c->buf, c->len);
    c->len = 0;
  }
}

static void chan_write(struct out_chan *c, const char *p, size_t n) {
  if (n >= ZKVM_OUT_BUF) { /* big writes go straight out, after what is queued */
    chan_flush(c);
    write_all(chan_fd(c), p, n);
    return;
  }
  if (c->len + n > ZKVM_OUT_BUF) chan_flush(c);
  memcpy(c->buf + c->len, p, n);
  c->len += n;
  if (chan_line_buffered(c) && memchr(p, '\n', n)) chan_flush(c);
}

static struct out_chan *chan_for(int fd) {
  return (fd >= 1 && fd <= 3) ? &g_out[fd - 1] : NULL;
}

void __zkvm_flush_all(void) {
  for (int i = 0; i < 3; i++) chan_flush(&g_out[i]);
}

void zkvm_flush(void) { __zkvm_flush_all(); }

void __zkvm_write_fd(int fd, const void *buf, size_t n) {
  struct out_chan *c = chan_for(fd);
  if (c) chan_write(c, (const char *)buf, n);
}

/* ---- input channel ---------------------------------------------------- */

#define ZKVM_IN_BUF 256
static unsigned char g_in_buf[ZKVM_IN_BUF];
static size_t g_in_pos, g_in_len;
static int g_in_eof;

/* One read ecall into [buf, buf+n); sets g_in_eof at end of input. */
static size_t sys_read_once(void *buf, size_t n) {
  if (g_in_eof || n == 0) return 0;
  long r = zkvm_sys_read(ZKVM_FD_INPUT, buf, n);
  if (r <= 0) {
    g_in_eof = 1;
    return 0;
  }
  return (size_t)r;
}

size_t zkvm_read(void *buf, size_t len) {
  unsigned char *out = (unsigned char *)buf;
  size_t done = 0;
  /* Buffered bytes first (left over from getchar/scanf or small reads). */
  if (g_in_pos < g_in_len) {
    size_t k = g_in_len - g_in_pos;
    if (k > len) k = len;
    memcpy(out, g_in_buf + g_in_pos, k);
    g_in_pos += k;
    done = k;
  }
  while (done < len && !g_in_eof) {
    size_t want = len - done;
    if (want >= ZKVM_IN_BUF) {
      /* Large reads go straight into the caller's buffer. */
      size_t r = sys_read_once(out + done, want);
      done += r;
    } else {
      g_in_len = sys_read_once(g_in_buf, ZKVM_IN_BUF);
      g_in_pos = 0;
      size_t k = g_in_len < want ? g_in_len : want;
      memcpy(out + done, g_in_buf, k);
      g_in_pos = k;
      done += k;
    }
  }
  return done;
}

/* ---- stdio streams ---------------------------------------------------- */

static int stdout_put(char c, FILE *f) {
  (void)f;
  chan_write(&g_out[0], &c, 1);
  return (unsigned char)c;
}

static int stderr_put(char c, FILE *f) {
  (void)f;
  chan_write(&g_out[1], &c, 1);
  return (unsigned char)c;
}

static int stdin_get(FILE *f) {
  (void)f;
  unsigned char c;
  return zkvm_read(&c, 1) == 1 ? c : _FDEV_EOF;
}

static int stdout_flush(FILE *f) {
  (void)f;
  chan_flush(&g_out[0]);
  return 0;
}

static int stderr_flush(FILE *f) {
  (void)f;
  chan_flush(&g_out[1]);
  return 0;
}

static FILE g_stdin = FDEV_SETUP_STREAM(NULL, stdin_get, NULL, _FDEV_SETUP_READ);
static FILE g_stdout = FDEV_SETUP_STREAM(stdout_put, NULL, stdout_flush, _FDEV_SETUP_WRITE);
static FILE g_stderr = FDEV_SETUP_STREAM(stderr_put, NULL, stderr_flush, _FDEV_SETUP_WRITE);
FILE *const stdin = &g_stdin;
FILE *const stdout = &g_stdout;
FILE *const stderr = &g_stderr;

/* ---- POSIX calls picolibc expects ------------------------------------- */

ssize_t read(int fd, void *buf, size_t n) {
  if (fd != ZKVM_FD_INPUT) {
    errno = EBADF;
    return -1;
  }
  return (ssize_t)zkvm_read(buf, n);
}

ssize_t write(int fd, const void *buf, size_t n) {
  struct out_chan *c = chan_for(fd);
  if (!c) {
    errno = EBADF;
    return -1;
  }
  chan_write(c, (const char *)buf, n);
  return (ssize_t)n;
}

void _exit(int code) {
  __zkvm_flush_all();
  zkvm_sys_exit(code);
}

/* Heap: sbrk over [__heap_start, __heap_end) from guest.ld. */
extern char __heap_start[], __heap_end[];
static char *g_brk = __heap_start;

void *sbrk(ptrdiff_t incr) {
  char *old = g_brk;
  if (incr > 0 ? (size_t)incr > (size_t)(__heap_end - g_brk)
               : (size_t)-incr > (size_t)(g_brk - __heap_start)) {
    errno = ENOMEM;
    return (void *)-1;
  }
  g_brk += incr;
  return old;
}

size_t zkvm_heap_used(void) { return (size_t)(g_brk - __heap_start); }
size_t zkvm_heap_capacity(void) { return (size_t)(__heap_end - __heap_start); }

/* abort() and signals: there are no signals in a guest; an abort ends the
 * guest with the code a shell reports for SIGABRT. */
void abort(void) {
  __zkvm_write_fd(ZKVM_FD_STDERR, "abort\n", 6);
  _exit(ZKVM_EXIT_ABORT);
}

int kill(pid_t pid, int sig) {
  (void)pid;
  _exit(128 + (sig & 127));
}

pid_t getpid(void) { return 1; }

int close(int fd) {
  (void)fd;
  return 0;
}

off_t lseek(int fd, off_t off, int whence) {
  (void)fd; (void)off; (void)whence;
  errno = ESPIPE;
  return -1;
}
