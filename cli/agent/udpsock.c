/*
 * udpsock: receive buffer size and kernel drop counter (see udpsock.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#ifdef __linux__
#include <linux/sock_diag.h>
#endif

#include "log.h"
#include "udpsock.h"

static int
udp_fd(uv_udp_t *udp)
{
	uv_os_fd_t fd;
	return uv_fileno((uv_handle_t *)udp, &fd) == 0 ? (int)fd : -1;
}

size_t
udpsock_tune(uv_udp_t *udp, size_t want)
{
	int fd = udp_fd(udp);
	int val = (int)want;
	socklen_t len = sizeof(val);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &val, sizeof(val)) != 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &val, &len) != 0) {
		log_line(LOG_WARN, "udp receive buffer: cannot set it to %zu "
			 "bytes: %s", want, log_strerror(errno));
		return 0;
	}
	size_t got = (size_t)val;
#ifdef __linux__
	got /= 2; /* Linux doubles it for its bookkeeping, and says so */
#endif
	if (got < want)
		log_line(LOG_WARN, "udp receive buffer: asked for %zu bytes, "
			 "the kernel gave %zu (its limit is "
			 "net.core.rmem_max); a flood will cost more drops",
			 want, got);
	return got;
}

#ifdef __linux__
/* The drops column of our line in /proc/net/udp (by inode). */
static bool
proc_drops(int fd, uint64_t *out)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return false;
	FILE *f = fopen("/proc/net/udp", "r");
	if (f == NULL)
		return false;
	char line[512];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		unsigned long long inode, drops;
		/* sl local rem st tx:rx tr:when retr uid timeout inode ref
		 * pointer drops */
		if (sscanf(line, "%*s %*s %*s %*s %*s %*s %*s %*s %*s %llu "
			   "%*s %*s %llu", &inode, &drops) == 2 &&
		    inode == (unsigned long long)st.st_ino) {
			*out = drops;
			found = true;
		}
	}
	fclose(f);
	return found;
}
#endif

bool
udpsock_drops(uv_udp_t *udp, uint64_t *out)
{
	*out = 0;
	int fd = udp_fd(udp);
	if (fd < 0)
		return false;
#if defined(__linux__) && defined(SO_MEMINFO)
	uint32_t mem[SK_MEMINFO_VARS] = {0};
	socklen_t len = sizeof(mem);
	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) == 0 &&
	    len > SK_MEMINFO_DROPS * sizeof(mem[0])) {
		*out = mem[SK_MEMINFO_DROPS];
		return true;
	}
#endif
#ifdef __linux__
	return proc_drops(fd, out);
#else
	return false;
#endif
}
