/*
 * swim_probe: SWIM's failure detector with Lifeguard's corrections: probe
 * rounds, indirect probes, the ping-req relays we serve, acks and nacks.
 */
#ifndef RUMOR_SWIM_PROBE_H
#define RUMOR_SWIM_PROBE_H

#include <stdint.h>

struct swim;
struct swim_addr;
struct swim_msg;
struct swim_packet;

/** The probe period ended: judge the probe in flight, start the next. */
void
swim__probe_tick(struct swim *swim, uint64_t now_ms);
/** No direct ack in time: ask others to ping the target. */
void
swim__probe_ack_timeout(struct swim *swim, uint64_t now_ms);
void
swim__relays_tick(struct swim *swim, uint64_t now_ms);
/** The earliest deadline of the relays we serve (UINT64_MAX: none). */
uint64_t
swim__relays_deadline(const struct swim *swim);
void
swim__handle_ping(struct swim *swim, uint64_t now_ms,
		  const struct swim_addr *from, const struct swim_packet *pkt,
		  const struct swim_msg *msg);
void
swim__handle_ping_req(struct swim *swim, uint64_t now_ms,
		      const struct swim_addr *from,
		      const struct swim_packet *pkt,
		      const struct swim_msg *msg);
/** An ack: it counts only from the member it can come from (the probe's
 *  target or a helper we asked, a relay's target, a check's suspect or
 *  helper). */
void
swim__handle_ack(struct swim *swim, uint64_t now_ms,
		 const struct swim_packet *pkt, const struct swim_msg *msg);
/** A nack: it counts only from a helper we asked, once. */
void
swim__handle_nack(struct swim *swim, const struct swim_packet *pkt,
		  const struct swim_msg *msg);

#endif /* RUMOR_SWIM_PROBE_H */
