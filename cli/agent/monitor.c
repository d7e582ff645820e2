/*
 * monitor: log lines to the socket's monitors (monitor.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"

static void
flush_fired(uv_timer_t *t);

/* The sink: keep the line for the next flush. */
static void
monitor_sink(void *arg, enum log_level level, const char *time,
	     const char *text)
{
	struct monitor *m = arg;
	if (m->queue == NULL || m->count == MONITOR_QUEUE_MAX) {
		m->dropped++;
		return;
	}
	struct monitor_line *l =
		&m->queue[(m->head + m->count++) % MONITOR_QUEUE_MAX];
	l->level = level;
	snprintf(l->time, sizeof(l->time), "%s", time);
	snprintf(l->text, sizeof(l->text), "%s", text);
	if (!m->flush_armed && m->flush_open) {
		m->flush_armed = true;
		uv_timer_start(&m->flush, flush_fired, 0, 0);
	}
}

/* No monitor left: the sink goes off (while some are open it stays at
 * the least level any of them asked for; the server filters by each). */
static void
sink_update(struct monitor *m)
{
	if (m->ipc->streams[IPC_SERVER_STREAM_LOG] == 0) {
		m->level = log_level_MAX;
		log_set_sink(log_level_MAX, NULL, NULL);
	}
}

static void
flush_fired(uv_timer_t *t)
{
	struct monitor *m = t->data;
	m->flush_armed = false;
	msgpack_sbuffer sb;
	msgpack_sbuffer_init(&sb);
	while (m->count > 0) {
		struct monitor_line *l = &m->queue[m->head];
		m->head = (m->head + 1) % MONITOR_QUEUE_MAX;
		m->count--;
		struct ipc_log line = {l->time, (enum ipc_level)l->level,
				       l->text};
		msgpack_sbuffer_clear(&sb);
		if (ipc_admin_log_encode(&sb, &line) == 0)
			ipc_server_stream_send(m->ipc, IPC_SERVER_STREAM_LOG,
					       "", (int)l->level,
					       (const uint8_t *)sb.data,
					       sb.size);
		else
			m->dropped++;
	}
	msgpack_sbuffer_destroy(&sb);
	sink_update(m);
}

void
monitor_init(struct monitor *m, uv_loop_t *loop, struct ipc_server *ipc)
{
	*m = (struct monitor){.loop = loop, .ipc = ipc, .level = log_level_MAX};
	uv_timer_init(loop, &m->flush);
	m->flush.data = m;
	m->flush_open = true;
}

void
monitor_opened(struct monitor *m, enum log_level level)
{
	if (m->queue == NULL)
		m->queue = calloc(MONITOR_QUEUE_MAX, sizeof(*m->queue));
	if (m->queue == NULL)
		return; /* lines are dropped and counted */
	if (level < m->level)
		m->level = level;
	log_set_sink(m->level, monitor_sink, m);
}

uint64_t
monitor_dropped(const struct monitor *m)
{
	return m->dropped;
}

void
monitor_close(struct monitor *m)
{
	log_set_sink(log_level_MAX, NULL, NULL);
	if (m->flush_open) {
		uv_close((uv_handle_t *)&m->flush, NULL);
		m->flush_open = false;
	}
	free(m->queue);
	m->queue = NULL;
	m->count = 0;
}
