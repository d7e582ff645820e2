/*
 * The client side of the local socket for the CLI's commands: flags,
 * one-line errors and JSON output, over librumor's transport (a command
 * does one request and exits; a watch keeps its connection).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_common.h"
#include "client/rumor_internal.h"
#include "agent/log.h"

const char *
client_default_socket(char *buf, size_t size)
{
	const char *env = getenv("RUMOR_SOCKET");
	if (env != NULL && env[0] != '\0')
		return env;
	snprintf(buf, size, "/tmp/rumor-%u.sock", (unsigned)getuid());
	return buf;
}

static int
status_check(const struct args *a, const char *status)
{
	for (int i = 0; i < swim_status_MAX; i++) {
		if (strcmp(status, swim_status_strs[i]) == 0)
			return 0;
	}
	fprintf(stderr,
		"rumor: %s: --status: want alive, suspect, failed or left, "
		"not \"%s\"\n",
		a->cmd, status);
	return -1;
}

int
client_parse_flags(struct args *a, struct client_flags *f, unsigned accept,
		   const char *usage)
{
	f->socket_path = client_default_socket(f->socket_buf,
					       sizeof(f->socket_buf));
	static const char *const valued[] = {"--socket", "--status", NULL};
	static const char *const switches[] = {"--json", NULL};
	const char *flag, *value;
	int rc;
	while ((rc = args_next(a, &flag, &value, valued, switches)) == 1) {
		if (strcmp(flag, "--help") == 0) {
			fputs(usage, stdout);
			return 1;
		} else if (strcmp(flag, "--socket") == 0) {
			f->socket_path = value;
		} else if ((accept & CLIENT_FLAGS_JSON) != 0 &&
			   strcmp(flag, "--json") == 0) {
			f->json = true;
		} else if ((accept & CLIENT_FLAGS_STATUS) != 0 &&
			   strcmp(flag, "--status") == 0) {
			if (status_check(a, value) != 0)
				return -1;
			f->status = value;
		} else {
			return args_unknown(a, flag);
		}
	}
	return rc < 0 ? -1 : 0;
}

/* Connect through librumor; NULL after one line on stderr. */
static struct rumor *
client_open(const char *path)
{
	struct rumor *r;
	int rc = rumor_connect(path, &r);
	if (rc == 0)
		return r;
	if (rc == RUMOR_EINVAL)
		fprintf(stderr, "rumor: socket path too long: %s\n", path);
	else if (rc == RUMOR_ENOMEM)
		fprintf(stderr, "rumor: out of memory\n");
	else
		fprintf(stderr, "rumor: cannot connect to %s: %s (is the "
			"agent running?)\n", path,
			errno == EAGAIN ? "timed out" : log_strerror(errno));
	return NULL;
}

int
client_call(const char *socket_path, const struct ipc_request *req,
	    struct ipc_response *resp, uint8_t **payload)
{
	struct rumor *r = client_open(socket_path);
	if (r == NULL)
		return -1;
	uint8_t *buf;
	uint32_t len;
	int rc = rumor__exchange(r, req, &buf, &len);
	if (rc != 0)
		fprintf(stderr, "rumor: %s: %s\n", socket_path,
			rumor_last_error(r));
	rumor_close(r);
	if (rc != 0)
		return -1;
	if (ipc_response_decode(resp, buf, len) != 0) {
		fprintf(stderr, "rumor: %s: malformed response\n",
			socket_path);
		free(buf);
		return -1;
	}
	*payload = buf;
	return 0;
}

int
client_request(const char *cmd, const char *socket_path, enum ipc_op op,
	       struct ipc_response *resp, uint8_t **payload)
{
	struct ipc_request req = {.op = op};
	return client_send(cmd, socket_path, &req, resp, payload);
}

int
client_send(const char *cmd, const char *socket_path,
	    const struct ipc_request *req, struct ipc_response *resp,
	    uint8_t **payload)
{
	if (client_call(socket_path, req, resp, payload) != 0)
		return 1;
	if (resp->ok)
		return 0;
	if (resp->error != NULL && resp->error_len > 0)
		fprintf(stderr, "rumor: %s: %.*s\n", cmd, (int)resp->error_len,
			resp->error);
	else
		fprintf(stderr, "rumor: %s: the agent refused the request\n",
			cmd);
	ipc_response_destroy(resp);
	free(*payload);
	return 1;
}

void
client_json_str(FILE *out, const char *s, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f) /* stays valid JSON */
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

void
client_json_obj(FILE *out, const msgpack_object *o)
{
	switch (o->type) {
	case MSGPACK_OBJECT_NIL:
		fputs("null", out);
		break;
	case MSGPACK_OBJECT_BOOLEAN:
		fputs(o->via.boolean ? "true" : "false", out);
		break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		fprintf(out, "%llu", (unsigned long long)o->via.u64);
		break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		fprintf(out, "%lld", (long long)o->via.i64);
		break;
	case MSGPACK_OBJECT_STR:
		client_json_str(out, o->via.str.ptr, o->via.str.size);
		break;
	case MSGPACK_OBJECT_ARRAY:
		fputc('[', out);
		for (uint32_t i = 0; i < o->via.array.size; i++) {
			if (i > 0)
				fputc(',', out);
			client_json_obj(out, &o->via.array.ptr[i]);
		}
		fputc(']', out);
		break;
	case MSGPACK_OBJECT_MAP:
		fputc('{', out);
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			const msgpack_object_kv *kv = &o->via.map.ptr[i];
			if (i > 0)
				fputc(',', out);
			if (kv->key.type == MSGPACK_OBJECT_STR)
				client_json_obj(out, &kv->key);
			else
				fputs("\"?\"", out);
			fputc(':', out);
			client_json_obj(out, &kv->val);
		}
		fputc('}', out);
		break;
	default:
		fputs("null", out);
		break;
	}
}

int
client_watch(const char *cmd, const char *socket_path,
	     const struct ipc_request *req, client_event_cb on_event,
	     void *arg)
{
	struct rumor *r = client_open(socket_path);
	if (r == NULL)
		return 1;
	uint8_t *buf;
	uint32_t len;
	struct ipc_response resp;
	bool ok = false;
	if (rumor__exchange(r, req, &buf, &len) != 0) {
		fprintf(stderr, "rumor: %s: %s\n", cmd, rumor_last_error(r));
	} else {
		if (ipc_response_decode(&resp, buf, len) != 0) {
			fprintf(stderr, "rumor: %s: malformed response\n", cmd);
		} else {
			ok = resp.ok;
			if (!ok)
				fprintf(stderr, "rumor: %s: %.*s\n", cmd,
					(int)resp.error_len,
					resp.error ? resp.error : "");
			ipc_response_destroy(&resp);
		}
		free(buf);
	}
	/* From now on the agent speaks when something changes. */
	if (ok)
		rumor__no_timeout(r);
	while (ok) {
		if (rumor__read_frame(r, &buf, &len) != 0) {
			fprintf(stderr, "rumor: %s: the agent closed the "
				"stream\n", cmd);
			break;
		}
		if (ipc_event_decode(&resp, buf, len) != 0) {
			fprintf(stderr, "rumor: %s: bad event frame\n", cmd);
			free(buf);
			break;
		}
		on_event(resp.root, arg);
		fflush(stdout);
		ipc_response_destroy(&resp);
		free(buf);
	}
	rumor_close(r);
	return 1;
}
