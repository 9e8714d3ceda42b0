/* spawn.c - running kubectl (spawn.h): posix_spawnp with an argument
 * vector, two pipes read with poll() so that neither can fill up and stall
 * the child, a byte limit on standard output, waitpid for the status. */
#include "cli/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

void cli_proc_init(cli_proc *p)
{
	memset(p, 0, sizeof *p);
	tm_buf_init(&p->err, CLI_SPAWN_MAX_STDERR);
}

void cli_proc_release(cli_proc *p)
{
	tm_buf_release(&p->err);
	memset(p, 0, sizeof *p);
}

static bool write_all(int fd, const char *s, size_t n, int *err)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			*err = w < 0 ? errno : EIO;
			return false;
		}
		s += w;
		n -= (size_t)w;
	}
	return true;
}

int cli_spawn(char *const argv[], int out_fd, tm_buf *out_buf, size_t max_out, cli_proc *p)
{
	int out[2] = {-1, -1}, err[2] = {-1, -1};
	int rc = -1, saved = 0;
	pid_t pid = -1;
	posix_spawn_file_actions_t fa;
	bool fa_live = false;
	if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
		goto out;
	if ((errno = posix_spawn_file_actions_init(&fa)) != 0)
		goto out;
	fa_live = true;
	if ((errno = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)) != 0 ||
	    (errno = posix_spawn_file_actions_adddup2(&fa, out[1], 1)) != 0 ||
	    (errno = posix_spawn_file_actions_adddup2(&fa, err[1], 2)) != 0)
		goto out;
	if ((errno = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ)) != 0) {
		pid = -1;
		goto out;
	}
	close(out[1]);
	close(err[1]);
	out[1] = err[1] = -1;

	struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
	char chunk[65536];
	while (fds[0].fd >= 0 || fds[1].fd >= 0) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			ssize_t n = read(fds[i].fd, chunk, sizeof chunk);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				continue;
			}
			if (i == 1) {
				/* past the cap the rest of the message is dropped */
				size_t room = CLI_SPAWN_MAX_STDERR - p->err.len;
				(void)tm_buf_add(&p->err, chunk, (size_t)n < room ? (size_t)n : room);
				continue;
			}
			if (p->too_big || p->write_failed)
				continue; /* drained until the child is gone */
			if (p->out_bytes + (size_t)n > max_out) {
				p->too_big = true;
				kill(pid, SIGKILL);
				continue;
			}
			if (out_fd < 0 ? tm_buf_add(out_buf, chunk, (size_t)n) != TM_OK
				       : !write_all(out_fd, chunk, (size_t)n, &p->write_errno)) {
				if (out_fd < 0)
					p->write_errno = ENOMEM;
				p->write_failed = true;
				kill(pid, SIGKILL);
				continue;
			}
			p->out_bytes += (size_t)n;
		}
	}
	while (waitpid(pid, &p->status, 0) < 0) {
		if (errno != EINTR)
			goto out;
	}
	rc = 0;
out:
	saved = errno;
	if (fa_live)
		posix_spawn_file_actions_destroy(&fa);
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
	}
	errno = saved;
	return rc;
}

bool cli_proc_ok(const cli_proc *p)
{
	return !p->too_big && !p->write_failed && WIFEXITED(p->status) && WEXITSTATUS(p->status) == 0;
}

void cli_proc_describe(const cli_proc *p, size_t max_out, tm_buf *b)
{
	if (p->too_big)
		(void)tm_buf_addf(b, "its output is over %zu bytes, --max-file-size", max_out);
	else if (p->write_failed)
		(void)tm_buf_addf(b, "cannot write its output: %s", strerror(p->write_errno));
	else if (WIFSIGNALED(p->status))
		(void)tm_buf_addf(b, "killed by signal %d, %s", WTERMSIG(p->status), strsignal(WTERMSIG(p->status)));
	else
		(void)tm_buf_addf(b, "exit status %d", WEXITSTATUS(p->status));
}
