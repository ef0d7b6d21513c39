/* subreaper CMD ARGS...: runs CMD (containerd) as a child subreaper, so the shims it daemonizes and
   any process they orphan are re-parented here and reaped at once (PID 1 of this machine reaps
   slowly). SIGTERM and SIGINT are forwarded to CMD. Exits with CMD's status once every descendant
   is gone. Built by tests/cri/run.sh. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: subreaper CMD [ARGS...]\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
		perror("subreaper: prctl(PR_SET_CHILD_SUBREAPER)");
		return 1;
	}
	struct sigaction sa = { 0 };
	sa.sa_handler = forward;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	child = fork();
	if (child < 0) {
		perror("subreaper: fork");
		return 1;
	}
	if (child == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		execvp(argv[1], argv + 1);
		perror("subreaper: exec");
		_exit(127);
	}
	int status = 0, result = 0;
	for (;;) {
		pid_t pid = wait(&status);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: every descendant is gone */
		}
		if (pid == child)
			result = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	return result;
}
