/*
 * Replay main for fuzz targets built without libFuzzer: feeds every file of
 * the corpus directories (or single files) named on the command line to
 * LLVMFuzzerTestOneInput once. CI runs this with gcc, so every crash ever
 * found stays fixed.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		perror(path);
		return -1;
	}
	uint8_t *buf = NULL;
	size_t size = 0, cap = 0;
	for (;;) {
		if (size == cap) {
			cap = cap ? cap * 2 : 4096;
			uint8_t *grown = realloc(buf, cap);
			if (grown == NULL) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = grown;
		}
		size_t n = fread(buf + size, 1, cap - size, f);
		if (n == 0)
			break;
		size += n;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, size);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	int count = 0, failed = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			failed++;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			failed += replay_file(argv[i]) != 0;
			count++;
			continue;
		}
		DIR *dir = opendir(argv[i]);
		if (dir == NULL) {
			perror(argv[i]);
			failed++;
			continue;
		}
		struct dirent *ent;
		while ((ent = readdir(dir)) != NULL) {
			if (ent->d_name[0] == '.')
				continue;
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", argv[i],
				 ent->d_name);
			failed += replay_file(path) != 0;
			count++;
		}
		closedir(dir);
	}
	/* Reaching here means no input crashed the target. */
	printf("%d passed, %d failed\n", count - failed, failed);
	return failed != 0 || count == 0;
}
