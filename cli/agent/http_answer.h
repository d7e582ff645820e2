/*
 * http_answer: the bodies of the HTTP API's read endpoints, from the
 * node as it is: its member table and its registry of the whole
 * cluster, in Consul's shapes (cli/http/http_consul.h). The HTTP
 * counterpart of answer.c; nothing here changes the node.
 *
 * Each writes one whole JSON body into an empty http_buf and returns 0,
 * or RUMOR_ENOMEM / RUMOR_ETOOBIG (the buffer's failure) when the body
 * could not be made.
 */
#ifndef RUMOR_HTTP_ANSWER_H
#define RUMOR_HTTP_ANSWER_H

#include "cli/http/http_buf.h"
#include "cli/http/http_route.h"
#include "membership/node.h"

/** GET /v1/agent/members: every member of the table. */
int
http_answer_members(struct node *node, struct http_buf *out);

/** GET /v1/agent/self: this agent's config and member entry. */
int
http_answer_self(struct node *node, const char *version,
		 struct http_buf *out);

/** GET /v1/catalog/services: every service name with the union of its
 *  instances' tags, sorted. */
int
http_answer_services(struct node *node, struct http_buf *out);

/** GET /v1/health/service/<name>: its instances in (node, id) order,
 *  only the healthy ones with q->passing, only those carrying every one
 *  of q->tags. */
int
http_answer_health(struct node *node, const char *name,
		   const struct http_query *q, struct http_buf *out);

#endif /* RUMOR_HTTP_ANSWER_H */
