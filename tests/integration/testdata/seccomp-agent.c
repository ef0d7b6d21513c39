/*
 * A minimal seccomp agent for the tests (runtime-spec config-linux.md, "seccomp" listenerPath).
 *
 *   seccomp-agent SOCKET OUTDIR
 *
 * Listens on the unix stream socket SOCKET. For every connection from a runtime it saves the payload (the
 * ContainerProcessState JSON) as OUTDIR/state-N.json and keeps the notify fd that came with it (SCM_RIGHTS).
 * Every notification on any kept fd is logged to OUTDIR/notify.log as "nr=SYSCALL pid=PID" and answered with a
 * fake success (val 0, error 0): the syscall is not carried out, so a test can see that the agent answered.
 * Writes its pid to OUTDIR/agent.pid once it listens. Runs until killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FDS 64

static const char *outdir;

static void save_state(int n, const char *buf, ssize_t len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/state-%d.json", outdir, n);
	FILE *f = fopen(path, "w");
	if (!f) return;
	fwrite(buf, 1, (size_t)len, f);
	fclose(f);
}

/* Whether buf holds a whole JSON object (braces balanced outside strings). */
static int complete(const char *buf, ssize_t len)
{
	int depth = 0, in_string = 0, seen = 0;
	for (ssize_t i = 0; i < len; i++) {
		char c = buf[i];
		if (in_string) {
			if (c == '\\') i++;
			else if (c == '"') in_string = 0;
		} else if (c == '"') {
			in_string = 1;
		} else if (c == '{') {
			depth++;
			seen = 1;
		} else if (c == '}') {
			depth--;
		}
	}
	return seen && depth == 0;
}

/*
 * Reads the payload: one message with the fd, then whatever else is already queued (a runtime may keep the
 * connection open, runc 1.1 does while `run` waits); returns the fd passed with it, or -1.
 */
static int receive(int conn, int n)
{
	static char buf[1 << 16];
	char control[CMSG_SPACE(sizeof(int))];
	ssize_t total = 0;
	int fd = -1;
	for (;;) {
		struct iovec iov = { buf + total, sizeof buf - 1 - (size_t)total };
		struct msghdr msg = { 0 };
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control;
		msg.msg_controllen = sizeof control;
		ssize_t r = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC | (complete(buf, total) ? MSG_DONTWAIT : 0));
		if (r < 0 && errno == EINTR) continue;
		if (r <= 0) break;
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) memcpy(&fd, CMSG_DATA(c), sizeof fd);
		total += r;
		if ((size_t)total >= sizeof buf - 1) break;
	}
	save_state(n, buf, total);
	return fd;
}

static void answer(int fd, FILE *log)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	memset(&req, 0, sizeof req);
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) return;
	fprintf(log, "nr=%d pid=%u\n", req.data.nr, req.pid);
	fflush(log);
	memset(&resp, 0, sizeof resp);
	resp.id = req.id;
	resp.val = 0;
	resp.error = 0;
	ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s SOCKET OUTDIR\n", argv[0]);
		return 2;
	}
	outdir = argv[2];
	int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
	unlink(argv[1]);
	if (ls < 0 || bind(ls, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(ls, 8) < 0) {
		perror("seccomp-agent: listen");
		return 1;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/notify.log", outdir);
	FILE *log = fopen(path, "a");
	if (!log) {
		perror("seccomp-agent: notify.log");
		return 1;
	}
	snprintf(path, sizeof path, "%s/agent.pid", outdir);
	FILE *pf = fopen(path, "w");
	if (pf) {
		fprintf(pf, "%d\n", getpid());
		fclose(pf);
	}

	struct pollfd fds[MAX_FDS + 1];
	int nfds = 1, conns = 0;
	fds[0].fd = ls;
	fds[0].events = POLLIN;
	for (;;) {
		if (poll(fds, (nfds_t)nfds, -1) < 0) {
			if (errno == EINTR) continue;
			return 1;
		}
		for (int i = nfds - 1; i >= 1; i--) {
			if (fds[i].revents & POLLIN) answer(fds[i].fd, log);
			if (fds[i].revents & (POLLHUP | POLLERR | POLLNVAL)) {
				/* every process using this filter is gone */
				close(fds[i].fd);
				fds[i] = fds[--nfds];
			}
		}
		if (fds[0].revents & POLLIN) {
			int conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
			if (conn < 0) continue;
			int fd = receive(conn, ++conns);
			close(conn);
			if (fd >= 0 && nfds <= MAX_FDS) {
				fds[nfds].fd = fd;
				fds[nfds].events = POLLIN;
				nfds++;
			} else if (fd >= 0) {
				close(fd);
			}
		}
	}
}
