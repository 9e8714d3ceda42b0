/* spawn.h - running another program (kubectl) from the command line: found
 * on PATH, started with an argument vector (posix_spawnp, never a shell),
 * standard input from /dev/null, standard output copied into a file
 * descriptor up to a byte limit, standard error kept (bounded) for the
 * message. cli/ only: the library never runs programs. */
#ifndef TM_CLI_SPAWN_H
#define TM_CLI_SPAWN_H

#include "model/base.h"

#include <stddef.h>

/* the bytes of a program's standard error kept for its message */
#define CLI_SPAWN_MAX_STDERR ((size_t)16 << 10)

typedef struct cli_proc {
	int status;        /* as waitpid() sets it */
	bool too_big;      /* standard output passed max_out: the program was killed */
	bool write_failed; /* writing to out_fd failed (errno in write_errno) */
	int write_errno;
	size_t out_bytes;  /* bytes of standard output written */
	tm_buf err;        /* standard error (at most CLI_SPAWN_MAX_STDERR bytes) */
} cli_proc;

void cli_proc_init(cli_proc *p);
void cli_proc_release(cli_proc *p);

/* Run argv (argv[0] looked up on PATH) to completion, its standard output
 * written to out_fd, or appended to out_buf when out_fd < 0. Returns 0 when the program ran (its status in p), -1
 * with errno set when it could not be started (ENOENT: not on PATH). */
int cli_spawn(char *const argv[], int out_fd, tm_buf *out_buf, size_t max_out, cli_proc *p);

/* true when the program exited with status 0 and its output was kept whole */
bool cli_proc_ok(const cli_proc *p);
/* "exit status 1", "killed by signal 6 (Aborted)", "output over N bytes"
 * ... into b */
void cli_proc_describe(const cli_proc *p, size_t max_out, tm_buf *b);

#endif
