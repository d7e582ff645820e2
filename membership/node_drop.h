/*
 * node_drop: why the node dropped a frame before (or instead of) handing
 * it to the core. Its own header because both the seal boundary (node.c)
 * and the large-set attachment of push-pull frames (node_largeset.c) name
 * reasons, and struct node counts them.
 */
#ifndef RUMOR_NODE_DROP_H
#define RUMOR_NODE_DROP_H

/** Why a frame was dropped before it reached the core. */
enum node_drop {
	NODE_DROP_NONE = 0,
	NODE_DROP_TRUNCATED,
	NODE_DROP_PLAINTEXT,   /* plaintext frame at an encrypted node */
	NODE_DROP_ENCRYPTED,   /* sealed frame at a plaintext node */
	NODE_DROP_VERSION,     /* unknown seal kind byte */
	NODE_DROP_UNKNOWN_KEY, /* key id not in our ring */
	NODE_DROP_AUTH,        /* authentication failed */
	NODE_DROP_OVERSIZE,
	NODE_DROP_CORE,        /* opened fine, the core dropped it */
	NODE_DROP_SERVICES,    /* a malformed service sets attachment */
	NODE_DROP_BUDGET,      /* stream buffers full (or out of memory) */
	NODE_DROP_FRAMING,     /* a stream chunk out of place (opened fine) */
	NODE_DROP_REPLAYED,    /* a frame we took before (node_replay.c) */
	NODE_DROP_STALE,       /* stamped before the skew allowed, our start
				* or what we forgot: maybe a replay */
	NODE_DROP_CLOCK,       /* stamped further ahead than the skew */
	node_drop_MAX
};

#endif /* RUMOR_NODE_DROP_H */
