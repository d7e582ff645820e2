/*
 * cmd: the commands main() dispatches to. Each takes the arguments after
 * its name and returns the process exit status: 0 success, 1 runtime
 * failure, ARGS_EXIT_USAGE (2) usage error. Every error is one line
 * "rumor: ..." on stderr.
 */
#ifndef RUMOR_CMD_H
#define RUMOR_CMD_H

#include "args.h"

/** The version `rumor version` and `rumor info` print (the project's, in
 *  CMakeLists.txt and rumor.pc). */
#define RUMOR_VERSION "0.1.0"

/** rumor agent: run an agent until it leaves. */
int
cmd_agent(struct args *a);

/** rumor members: the local agent's member table (or JSON). */
int
cmd_members(struct args *a);

/** rumor leave: make the local agent leave gracefully. */
int
cmd_leave(struct args *a);

/** rumor stats: the local agent's counters. */
int
cmd_stats(struct args *a);

/** rumor register / deregister: this agent's own services. */
int
cmd_register(struct args *a);
int
cmd_deregister(struct args *a);
int
cmd_pass(struct args *a);

/** rumor lookup / pick / services: the cluster's services. */
int
cmd_lookup(struct args *a);
int
cmd_pick(struct args *a);
int
cmd_services(struct args *a);
int
cmd_watch(struct args *a);

/** rumor render: templates rendered from the catalog, kept up to date. */
int
cmd_render(struct args *a);

/** rumor join / force-leave / info / tags / monitor: operating the
 *  agent (cmd_admin.c). */
int
cmd_join(struct args *a);
int
cmd_force_leave(struct args *a);
int
cmd_info(struct args *a);
int
cmd_tags(struct args *a);
int
cmd_monitor(struct args *a);

/** rumor keygen: print a new random cluster key. */
int
cmd_keygen(struct args *a);

#endif /* RUMOR_CMD_H */
