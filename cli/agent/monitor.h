/*
 * monitor: the agent's log streamed over the local socket (`rumor
 * monitor`, as `serf monitor`). The log's sink (log.h) hands each line
 * here as it is logged; lines wait in a bounded queue and go out to the
 * monitors (ipc_server_stream_send, IPC_SERVER_STREAM_LOG) from a timer
 * of 0 ms, never from inside the code that logged them (which may be the
 * socket server itself). A line the queue has no room for is dropped and
 * counted; a monitor that does not read loses lines past
 * IPC_SERVER_MONITOR_PENDING_MAX queued, counted by the socket server
 * (both in `rumor stats` as monitor_dropped).
 *
 * The sink is set to the least level any open monitor asked for, and off
 * once none is open, so that without monitors a debug line costs what it
 * did before.
 */
#ifndef RUMOR_MONITOR_H
#define RUMOR_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "ipc_server.h"
#include "log.h"

/** Lines waiting for the next flush at most. */
#define MONITOR_QUEUE_MAX 1024
/** Bytes of a line's text and time kept. */
#define MONITOR_TEXT_MAX 512
#define MONITOR_TIME_MAX 32

struct monitor_line {
	enum log_level level;
	char time[MONITOR_TIME_MAX];
	char text[MONITOR_TEXT_MAX];
};

struct monitor {
	uv_loop_t *loop;
	/** Borrowed: where the lines go. */
	struct ipc_server *ipc;
	uv_timer_t flush;
	bool flush_open;
	bool flush_armed;
	struct monitor_line *queue;
	size_t head, count;
	/** The sink's level: the least any monitor opened since none was
	 *  open asked for (log_level_MAX: off). */
	enum log_level level;
	/** Lines the queue had no room for. */
	uint64_t dropped;
};

/** Set up m (nothing to fail; the queue is allocated with the first
 *  monitor); monitor_close() is then enough. */
void
monitor_init(struct monitor *m, uv_loop_t *loop, struct ipc_server *ipc);

/** A monitor was just opened at this level: lines from it on reach the
 *  sink. */
void
monitor_opened(struct monitor *m, enum log_level level);

/** Lines dropped by the queue and by slow monitors. */
uint64_t
monitor_dropped(const struct monitor *m);

/** Stop the sink and the timer; the struct stays valid until the loop
 *  has run the close callbacks. */
void
monitor_close(struct monitor *m);

#endif /* RUMOR_MONITOR_H */
