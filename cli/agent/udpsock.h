/*
 * udpsock: what the kernel does with the agent's UDP socket. A flood
 * fills the receive buffer and the kernel drops what does not fit before
 * the agent ever sees it; those drops must show in `rumor stats` like
 * every other (udp_kernel_drops), and the buffer should be large enough
 * that a short stall of the loop does not lose gossip.
 *
 * Linux: the drops are the socket's own counter (getsockopt SO_MEMINFO,
 * SK_MEMINFO_DROPS; /proc/net/udp's "drops" column where that is
 * missing). Elsewhere they are unknown and reported as 0.
 */
#ifndef RUMOR_UDPSOCK_H
#define RUMOR_UDPSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/** Receive buffer asked for: 4 MiB holds 1/10 s of a 50,000/s flood of
 *  full-size datagrams (the kernel counts ~2x their size), so a loop that
 *  stalls that long still loses nothing. Capped by net.core.rmem_max. */
#define UDPSOCK_RCVBUF (4u << 20)

/**
 * Ask for a receive buffer of `want` bytes on the bound socket. Returns
 * the size the kernel granted (as asked for, i.e. half what Linux
 * reports), logging one warning line when it gave less (its limit,
 * net.core.rmem_max) or nothing could be asked.
 */
size_t
udpsock_tune(uv_udp_t *udp, size_t want);

/** Datagrams the kernel dropped at this socket since it was opened;
 *  false when the system does not say. */
bool
udpsock_drops(uv_udp_t *udp, uint64_t *out);

#endif /* RUMOR_UDPSOCK_H */
