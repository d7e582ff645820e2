/*
 * config_file: the agent's configuration file (rumor agent --config
 * agent.json), read with jansson as the service files are (config.c).
 * One JSON object whose keys are the agent's flags without the leading
 * "--" and with '_' for '-':
 *
 *	{"name": "n1", "bind": "10.0.0.1:7946", "join": ["seed:7946"],
 *	 "key_file": "/etc/rumor/key", "data_dir": "/var/lib/rumor",
 *	 "tags": {"role": "db"}, "probe_interval": "500ms",
 *	 "no_encrypt": false, "log_level": "info"}
 *
 * Each key becomes the flag it names and goes through the same parser
 * as the command line (config_file_flags calls back with "--name" and
 * "n1"), so every flag is a key, with the same checks and messages, and
 * a new flag is a new key with nothing to add here. Values: a string; a
 * number (a duration as an integer is milliseconds); true for a switch
 * (false: the switch is not given); a list for a repeatable flag
 * ("join", "tag"); and "tags", an object of key: value (each "--tag
 * key=value"). Unknown keys are errors naming the key.
 */
#ifndef RUMOR_CONFIG_FILE_H
#define RUMOR_CONFIG_FILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/** Largest configuration file read. */
#define CONFIG_FILE_MAX (1024 * 1024)

/** What a key is to the flag parser. */
enum config_file_kind {
	/** Not a flag (the key is unknown). */
	CONFIG_FILE_UNKNOWN,
	/** Takes a value. */
	CONFIG_FILE_VALUED,
	/** A switch: true or false. */
	CONFIG_FILE_SWITCH,
};

/**
 * The flag parser: kind() says what a flag is ("--bind"); flag() takes
 * one flag and its value (NULL for a switch; an integer's digits, with
 * is_integer set) and returns 0, or -1 after printing its own one-line
 * error.
 */
struct config_file_parser {
	enum config_file_kind (*kind)(void *arg, const char *flag);
	int (*flag)(void *arg, const char *flag, const char *value,
		    bool is_integer);
	void *arg;
};

/** Read and parse path: the JSON object (json_decref it), or NULL with
 *  err (LOG_ERR_SIZE bytes) "PATH:LINE: why" or "PATH: why". */
json_t *
config_file_load(const char *path, char *err);

/**
 * Hand every key of root to the parser, in the file's order. Returns 0,
 * -1 after the parser printed an error, or RUMOR_EINVAL with err one
 * line: "PATH: unknown key \"tll\"", or a value of the wrong type.
 */
int
config_file_flags(const char *path, json_t *root,
		  const struct config_file_parser *p, char *err);

/**
 * The keys whose values differ between two versions of a file (added
 * and removed ones too), except those in skip (NULL-terminated), as
 * "key, key" into out (size bytes, "" when none). Returns how many.
 */
size_t
config_file_diff(json_t *before, json_t *after, const char *const *skip,
		 char *out, size_t size);

#endif /* RUMOR_CONFIG_FILE_H */
