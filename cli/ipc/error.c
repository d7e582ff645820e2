/*
 * The texts and names of the one error table (include/rumor/error.h).
 * It lives with the socket protocol, the lowest module that both the
 * agent and the client library link.
 */
#include "rumor/error.h"

const char *
rumor_strerror(int err)
{
	switch (err) {
#define RUMOR_ERR_TEXT_(name, code, text)                                     \
	case -(code):                                                         \
		return text;
		RUMOR_ERRNO_MAP(RUMOR_ERR_TEXT_)
#undef RUMOR_ERR_TEXT_
	case 0:
		return "success";
	}
	return "unknown error";
}

const char *
rumor_err_name(int err)
{
	switch (err) {
#define RUMOR_ERR_NAME_(name, code, text)                                     \
	case -(code):                                                         \
		return "RUMOR_E" #name;
		RUMOR_ERRNO_MAP(RUMOR_ERR_NAME_)
#undef RUMOR_ERR_NAME_
	case 0:
		return "0";
	}
	return "RUMOR_EUNKNOWN";
}
