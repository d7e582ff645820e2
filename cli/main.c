/*
 * rumor: the command line. Dispatches to cmd_*.c and keeps their
 * promise: every problem is one line on stderr,
 *
 *	rumor: agent: unknown flag "--tll"
 *
 * and the exit status is 0 on success, 1 on a runtime failure, 2 on a
 * usage error.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cmd.h"

static const char main_usage[] =
	"usage: rumor <command> [flags]      (rumor <command> --help)\n"
	"  agent     run an agent: gossip membership, answer on a local "
	"socket\n"
	"  members   list the members the agent knows (--json, --status S,\n"
	"            --tag KEY=REGEXP)\n"
	"  join      join the cluster through seeds (HOST:PORT...)\n"
	"  force-leave  mark a failed member left, cluster-wide\n"
	"  info      the agent's name, addresses, members, listeners, "
	"settings\n"
	"  tags      show or change the agent's tags (--set K=V, --delete K)\n"
	"  monitor   stream the agent's log (--log-level L)\n"
	"  leave     make the local agent leave the cluster gracefully\n"
	"  stats     print the local agent's counters\n"
	"  register  register a service instance on the local agent\n"
	"  deregister  remove one\n"
	"  pass      a TTL service's heartbeat\n"
	"  lookup    the healthy instances of a service, cluster-wide\n"
	"  pick      one healthy instance as ADDRESS:PORT\n"
	"  services  every service with healthy/total counts\n"
	"  watch     one line per change to the services, as it happens\n"
	"  render    render templates from the catalog, on every change\n"
	"  keygen    print a new cluster key\n"
	"  version   print the version\n"
	"Client commands talk to the agent at --socket PATH (default "
	"$RUMOR_SOCKET,\n"
	"else /tmp/rumor-<uid>.sock).\n";

static const struct {
	const char *name;
	int (*run)(struct args *a);
} commands[] = {
	{"agent", cmd_agent},	{"members", cmd_members},
	{"leave", cmd_leave},	{"stats", cmd_stats},
	{"keygen", cmd_keygen},	{"register", cmd_register},
	{"deregister", cmd_deregister}, {"lookup", cmd_lookup},
	{"pick", cmd_pick},	{"services", cmd_services},
	{"watch", cmd_watch},	{"pass", cmd_pass},
	{"render", cmd_render},	{"join", cmd_join},
	{"force-leave", cmd_force_leave}, {"info", cmd_info},
	{"tags", cmd_tags},	{"monitor", cmd_monitor},
};

int
main(int argc, char **argv)
{
	/* A peer that closes first makes write() fail with EPIPE, which
	 * we report, instead of killing us silently. */
	signal(SIGPIPE, SIG_IGN);
	if (sodium_init() < 0) {
		fprintf(stderr, "rumor: libsodium failed to initialise\n");
		return 1;
	}
	if (argc < 2) {
		fprintf(stderr, "rumor: missing command (see rumor --help)\n");
		return ARGS_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	struct args a = {.cmd = cmd, .argc = argc, .argv = argv, .pos = 2};
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].run(&a);
	}
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		puts("rumor " RUMOR_VERSION);
		return 0;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "-h") == 0) {
		fputs(main_usage, stdout);
		return 0;
	}
	fprintf(stderr, "rumor: unknown command \"%s\" (see rumor --help)\n",
		cmd);
	return ARGS_EXIT_USAGE;
}
