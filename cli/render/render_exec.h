/*
 * render_exec: the --exec command of `rumor render` ("nginx -s reload"),
 * run by /bin/sh -c on the caller's libuv loop, in a process group of its
 * own, with a timeout that kills the group. One run at a time: asked to
 * run while it runs, it runs once more afterwards (the output changed
 * again since the command began), never in a loop. The command's stdout
 * and stderr are ours; its outcome is one line for the caller to log.
 */
#ifndef RUMOR_RENDER_EXEC_H
#define RUMOR_RENDER_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct render_exec;

/** After each run: ok when it exited 0, and its outcome in words
 *  ("exited 3", "timed out after 30000 ms, killed"). */
typedef void (*render_exec_done_cb)(struct render_exec *e, bool ok,
				    const char *outcome);

/** A command to run now and then (caller-owned memory). */
struct render_exec {
	/** The loop it runs on and the command line (borrowed). */
	uv_loop_t *loop;
	const char *command;
	/** How long one run may take before its group is killed. */
	uint64_t timeout_ms;
	/** What to call after each run; any pointer for the caller. */
	render_exec_done_cb done;
	void *data;
	/** The running command, and the timer that bounds it. */
	uv_process_t proc;
	uv_timer_t timer;
	/** A run is under way (from spawn until its handle is closed). */
	bool running;
	/** Run once more when this run ends. */
	bool again;
	/** This run was killed for taking too long. */
	bool timed_out;
	/** How this run ended, from the exit callback. */
	int64_t exit_status;
	int term_signal;
	/** render_exec_destroy() was called: no further runs. */
	bool closed;
};

/** Set e up on loop; nothing runs yet. */
void
render_exec_create(struct render_exec *e, uv_loop_t *loop,
		   const char *command, uint64_t timeout_ms,
		   render_exec_done_cb done);

/** Run the command now, or once more after the current run. */
void
render_exec_run(struct render_exec *e);

/** Whether a run is under way or asked for. */
bool
render_exec_busy(const struct render_exec *e);

/** Close e's handles (the loop must run once more to finish). A command
 *  still running is left to finish on its own, unwatched. */
void
render_exec_destroy(struct render_exec *e);

/** The outcome of a run in words into buf (size bytes): "exited N",
 *  "killed by signal N", or "timed out after T ms, killed". */
void
render_exec_outcome(char *buf, size_t size, int64_t exit_status,
		    int term_signal, bool timed_out, uint64_t timeout_ms);

#endif /* RUMOR_RENDER_EXEC_H */
