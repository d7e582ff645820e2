/*
 * dns_server: the agent's DNS interface on the network. A UDP socket and
 * a TCP listener on one address, in the agent's loop, answering every
 * query with dns_answer() (cli/dns/dns.h) from the cluster as the node
 * sees it (dns_view.h).
 *
 * UDP: one receive buffer reused for every datagram (read in batches
 * with recvmmsg), each answer sent at once with a non-blocking send;
 * a full socket buffer drops the answer (counted), as the network
 * would, and the client asks again. Answers hold what the client's
 * EDNS0 size allows (512 bytes without EDNS); the rest is cut with TC
 * set, and the client asks again over TCP.
 *
 * TCP (RFC 7766): 2-byte length-prefixed messages, many per connection
 * and pipelined, answered in order. Limits, each a constant below: at
 * most DNS_SERVER_TCP_CONNS_MAX connections (a new one closes the
 * longest-idle connection if that one has been idle a while, else it is
 * refused), a query of at most DNS_QUERY_MAX bytes (a longer announced
 * length, or a zero one, closes the connection: it is not DNS), one
 * answer waiting for a client that does not read before the server
 * stops reading it, and DNS_SERVER_TCP_IDLE_MS without progress before
 * the connection is closed.
 *
 * Nothing a client sends can cost more than that: a malformed or hostile
 * packet gets FORMERR or nothing, and is counted either way.
 *
 * The address is the user's choice. The default is loopback
 * (DNS_LISTEN_DEFAULT); another is taken only when given with --dns, and
 * is logged as such, since anyone who reaches it can read the catalog.
 */
#ifndef RUMOR_DNS_SERVER_H
#define RUMOR_DNS_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "cli/dns/dns.h"
#include "dns_view.h"
#include "list.h"
#include "log.h"
#include "swim/swim_rand.h"

/** Open TCP connections at most (RFC 7766 6.2.2: bound them). */
#define DNS_SERVER_TCP_CONNS_MAX 128
/** A TCP connection without a byte read or written for this long is
 *  closed (RFC 7766 6.2.3 suggests seconds, not minutes). */
#define DNS_SERVER_TCP_IDLE_MS 10000
/** When the connections are all open, a new one closes the longest-idle
 *  if it has been idle this long; else the new one is refused. */
#define DNS_SERVER_TCP_EVICT_IDLE_MS 1000

/** What the user asked for (struct agent_config.dns). */
struct dns_server_config {
	/** false: no DNS interface (--dns off). */
	bool enabled;
	/** Where to listen (IPv4, UDP and TCP). */
	struct swim_addr addr;
	/** The address was given (--dns): failing to bind it is an error;
	 *  when it was not, the agent starts without DNS and warns. */
	bool explicit_addr;
	/** Domain, TTLs, UDP size (cli/dns/dns_config.h). */
	struct dns_config dns;
};

/** On, at DNS_LISTEN_DEFAULT, with dns_config_default(). */
void
dns_server_config_default(struct dns_server_config *cfg);

/** Counters for `rumor stats`. */
struct dns_server_stats {
	/** Queries by what became of them (enum dns_outcome), UDP and TCP. */
	uint64_t outcome[dns_outcome_MAX];
	/** Answers that left instances out (TC over UDP). */
	uint64_t truncated;
	uint64_t udp_queries;
	uint64_t tcp_queries;
	/** Datagrams not given to dns_answer (not IPv4, or cut short);
	 *  also in outcome[DNS_OUTCOME_DROPPED]. */
	uint64_t udp_dropped;
	/** Answers a full socket buffer (or a failing send) dropped. */
	uint64_t udp_send_failed;
	uint64_t tcp_conns_accepted;
	size_t tcp_conns_open;
	/** Refused because every connection was busy. */
	uint64_t tcp_conns_refused;
	/** Closed to make room for a new one, or for idling. */
	uint64_t tcp_conns_evicted;
	uint64_t tcp_conns_idle_closed;
	/** Closed for a zero or oversized length prefix. */
	uint64_t tcp_bad_frames;
};

struct dns_server {
	uv_loop_t *loop;
	/** The DNS answerer; NULL while off. */
	struct dns *dns;
	struct dns_view view;
	/** The per-query random draws. */
	struct swim_rand rand;
	uv_udp_t udp;
	uv_tcp_t tcp;
	uv_timer_t sweep;
	bool udp_open;
	bool tcp_open;
	bool sweep_open;
	bool closed;
	/** Open TCP connections, most recently active first. */
	struct list conns;
	struct dns_server_stats stats;
	struct log_limit limit_send;
	struct log_limit limit_recv;
	/** Answers waiting for one sendmmsg (dns_server.c). */
	struct dns_udp_batch *batch;
	/** UDP datagrams land here (a batch of them for recvmmsg). */
	uint8_t *recv_buf;
	size_t recv_size;
	/** Answers are written here, after 2 bytes for TCP's length. */
	uint8_t out[2 + DNS_TCP_MAX];
};

/** Set up srv in loop (memory only); dns_server_close is then enough. */
void
dns_server_init(struct dns_server *srv, uv_loop_t *loop);

/**
 * Listen as cfg says, answering from node (a no-op when cfg is off).
 * Returns 0, or RUMOR_EIO / RUMOR_EINVAL / RUMOR_ENOMEM with err. A port
 * in use when cfg->explicit_addr is false is not an error: the server
 * stays off and the agent logs a warning.
 */
int
dns_server_start(struct dns_server *srv, const struct dns_server_config *cfg,
		 struct node *node, char *err);

/** A member event went by (names with capitals: dns_view.h). */
void
dns_server_member_event(struct dns_server *srv, const struct swim_event *ev);

/** The counters as they are now. */
void
dns_server_stats(const struct dns_server *srv, struct dns_server_stats *out);

/** Stop listening, close every connection and free what the server
 *  holds. The struct must stay valid until the loop has run the close
 *  callbacks. */
void
dns_server_close(struct dns_server *srv);

#endif /* RUMOR_DNS_SERVER_H */
