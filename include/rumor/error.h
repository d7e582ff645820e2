/*
 * rumor error codes: one table, negative values, libuv style.
 *
 * Every call that can fail returns 0 or one of these (negated). The table
 * is the single source of names and texts; rumor_strerror() and
 * rumor_err_name() read it.
 */
#ifndef RUMOR_ERROR_H
#define RUMOR_ERROR_H

#define RUMOR_ERRNO_MAP(XX)                                                   \
	XX(NOMEM, 1, "out of memory")                                         \
	XX(INVAL, 2, "invalid argument")                                      \
	XX(RANGE, 3, "value out of range")                                    \
	XX(NOSPACE, 4, "no space left in buffer")                             \
	XX(NOTFOUND, 5, "not found")                                          \
	XX(EXIST, 6, "already exists")                                        \
	XX(MALFORMED, 7, "malformed input")                                   \
	XX(TRUNCATED, 8, "truncated input")                                   \
	XX(VERSION, 9, "unsupported version")                                 \
	XX(UNKNOWNKEY, 10, "unknown key id")                                  \
	XX(AUTH, 11, "authentication failed")                                 \
	XX(TOOBIG, 12, "too big")                                             \
	XX(LIMIT, 13, "limit reached")                                        \
	XX(STATE, 14, "operation not allowed in this state")                  \
	XX(IO, 15, "input/output error")                                      \
	XX(PROTO, 16, "protocol error")                                       \
	XX(PLAINTEXT, 17, "plaintext and encrypted peers do not mix")

/**
 * On a function whose result says whether it worked (an int error, a
 * pointer that is NULL when out of memory, a decoder's verdict): ignoring
 * that result is a compile-time warning, an error under -Werror
 * (libsodium marks its fallible calls the same way). gcc does not take a
 * (void) cast as handling it: handle it.
 */
#if defined(__GNUC__) || defined(__clang__)
#define RUMOR_MUST_CHECK __attribute__((warn_unused_result))
#else
#define RUMOR_MUST_CHECK
#endif

enum rumor_err {
#define RUMOR_ERR_ENUM_(name, code, text) RUMOR_E##name = -(code),
	RUMOR_ERRNO_MAP(RUMOR_ERR_ENUM_)
#undef RUMOR_ERR_ENUM_
};

/** Text for a negative RUMOR_E* code (or "unknown error"). Never NULL. */
const char *
rumor_strerror(int err);

/** Symbolic name ("RUMOR_EINVAL") for a negative RUMOR_E* code. */
const char *
rumor_err_name(int err);

#endif /* RUMOR_ERROR_H */
