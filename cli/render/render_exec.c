/*
 * The --exec runner (see render_exec.h). The process handle is closed
 * after every run and opened anew for the next; the next run, when one
 * was asked for meanwhile, starts from the close callback, once the
 * handle may be used again.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>

#include "render_exec.h"

void
render_exec_outcome(char *buf, size_t size, int64_t exit_status,
		    int term_signal, bool timed_out, uint64_t timeout_ms)
{
	if (timed_out)
		snprintf(buf, size, "timed out after %" PRIu64 " ms, killed",
			 timeout_ms);
	else if (term_signal != 0)
		snprintf(buf, size, "killed by signal %d", term_signal);
	else
		snprintf(buf, size, "exited %" PRId64, exit_status);
}

void
render_exec_create(struct render_exec *e, uv_loop_t *loop,
		   const char *command, uint64_t timeout_ms,
		   render_exec_done_cb done)
{
	*e = (struct render_exec){.loop = loop, .command = command,
				  .timeout_ms = timeout_ms, .done = done};
	uv_timer_init(loop, &e->timer);
	e->timer.data = e;
}

static void
proc_closed(uv_handle_t *h)
{
	struct render_exec *e = h->data;
	char outcome[96];
	render_exec_outcome(outcome, sizeof(outcome), e->exit_status,
			    e->term_signal, e->timed_out, e->timeout_ms);
	e->running = false;
	if (!e->closed)
		e->done(e, e->exit_status == 0 && e->term_signal == 0 &&
				   !e->timed_out,
			outcome);
	if (e->again && !e->closed) {
		e->again = false;
		render_exec_run(e);
	}
}

static void
proc_exited(uv_process_t *proc, int64_t exit_status, int term_signal)
{
	struct render_exec *e = proc->data;
	e->exit_status = exit_status;
	e->term_signal = term_signal;
	uv_timer_stop(&e->timer);
	uv_close((uv_handle_t *)proc, proc_closed);
}

/* Too long: kill the command and everything it started. */
static void
timed_out(uv_timer_t *t)
{
	struct render_exec *e = t->data;
	e->timed_out = true;
	uv_kill(-e->proc.pid, SIGKILL);
	uv_process_kill(&e->proc, SIGKILL);
}

void
render_exec_run(struct render_exec *e)
{
	if (e->closed)
		return;
	if (e->running) {
		e->again = true;
		return;
	}
	char *args[] = {"sh", "-c", (char *)e->command, NULL};
	uv_stdio_container_t stdio[3] = {
		{.flags = UV_IGNORE},
		{.flags = UV_INHERIT_FD, .data.fd = 1},
		{.flags = UV_INHERIT_FD, .data.fd = 2},
	};
	/* A process group of its own, so that a timeout kills what the
	 * shell started too. */
	uv_process_options_t opt = {
		.exit_cb = proc_exited, .file = "/bin/sh", .args = args,
		.stdio_count = 3, .stdio = stdio,
		.flags = UV_PROCESS_DETACHED,
	};
	e->running = true;
	e->timed_out = false;
	e->exit_status = 0;
	e->term_signal = 0;
	e->proc.data = e;
	int rc = uv_spawn(e->loop, &e->proc, &opt);
	if (rc != 0) {
		/* The handle is initialized even when the spawn fails;
		 * 127 is what a shell says of a command it cannot run. */
		e->exit_status = 127;
		uv_close((uv_handle_t *)&e->proc, proc_closed);
		return;
	}
	uv_timer_start(&e->timer, timed_out, e->timeout_ms, 0);
}

bool
render_exec_busy(const struct render_exec *e)
{
	return e->running || e->again;
}

void
render_exec_destroy(struct render_exec *e)
{
	e->closed = true;
	e->again = false;
	uv_close((uv_handle_t *)&e->timer, NULL);
	if (e->running && !uv_is_closing((uv_handle_t *)&e->proc))
		uv_close((uv_handle_t *)&e->proc, NULL);
}
