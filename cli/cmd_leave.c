/*
 * rumor leave: ask the local agent to leave the cluster. The answer comes
 * once the leave has gone out (node_leave_done), and the agent then exits
 * 0 by itself.
 */
#include <stdio.h>

#include "cmd_common.h"
#include "cmd.h"

static const char leave_usage[] =
	"usage: rumor leave [--socket PATH]\n"
	"  Make the local agent leave the cluster gracefully and exit: the\n"
	"  others show it \"left\" instead of \"failed\".\n"
	"  --socket PATH   the agent's socket (default $RUMOR_SOCKET, else\n"
	"                  /tmp/rumor-<uid>.sock)\n";

static int
leave_call(struct rumor *r, void *arg)
{
	(void)arg;
	int rc = rumor_leave(r);
	if (rc == 0)
		printf("left the cluster\n");
	return rc;
}

int
cmd_leave(struct args *a)
{
	struct cmd_flags f = {0};
	int rc = cmd_parse_flags(a, &f, CMD_FLAGS_SOCKET, leave_usage);
	if (rc != 0)
		return rc > 0 ? 0 : ARGS_EXIT_USAGE;
	return cmd_call(a->cmd, f.socket_path, leave_call, NULL);
}
