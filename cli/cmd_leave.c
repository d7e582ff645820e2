/*
 * rumor leave: ask the local agent to leave the cluster. The answer comes
 * once the leave has gone out (node_leave_done), and the agent then exits
 * 0 by itself.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cmd_common.h"
#include "cmd.h"

static const char leave_usage[] =
	"usage: rumor leave [--socket PATH]\n"
	"  Make the local agent leave the cluster gracefully and exit: the\n"
	"  others show it \"left\" instead of \"failed\".\n"
	"  --socket PATH   the agent's socket (default $RUMOR_SOCKET, else\n"
	"                  /tmp/rumor-<uid>.sock)\n";

int
cmd_leave(struct args *a)
{
	struct client_flags f = {0};
	int rc = client_parse_flags(a, &f, CLIENT_FLAGS_SOCKET, leave_usage);
	if (rc != 0)
		return rc > 0 ? 0 : ARGS_EXIT_USAGE;
	struct ipc_response resp;
	uint8_t *payload;
	if (client_request(a->cmd, f.socket_path, IPC_OP_LEAVE, &resp,
			   &payload) != 0)
		return 1;
	ipc_response_destroy(&resp);
	free(payload);
	printf("left the cluster\n");
	return 0;
}
