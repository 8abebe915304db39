// SPDX-License-Identifier: GPL-2.0
/*
 * Reading /proc/sections: a header line naming the columns, then one line per
 * named section of the reader's IPC namespace. Columns are found by the
 * header's names, so a module that adds a column (as "dirty" was added) does
 * not break the tool, and one without a column shows it as unknown.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char *const col_names[NR_COLS] = {
	[COL_NAME] = "name", [COL_SIZE] = "size", [COL_BACKING] = "backing",
	[COL_UID] = "uid", [COL_GID] = "gid", [COL_MODE] = "mode",
	[COL_HANDLES] = "handles", [COL_VIEWS] = "views", [COL_RESIDENT] = "resident",
	[COL_DIRTY] = "dirty", [COL_SCOPE] = "scope",
};

/* The whole file in a NUL-terminated malloc()ed buffer, or NULL with -errno in *ret. */
static char *read_all(const char *path, int *ret)
{
	size_t len = 0, cap = 8192;
	char *buf = malloc(cap), *nbuf;
	ssize_t n;
	int fd;

	if (!buf) {
		*ret = -ENOMEM;
		return NULL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*ret = -errno;
		free(buf);
		return NULL;
	}
	for (;;) {
		if (cap - len < 4096) {
			nbuf = realloc(buf, cap *= 2);
			if (!nbuf) {
				*ret = -ENOMEM;
				goto fail;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*ret = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

static bool is_odigit(char c)
{
	return c >= '0' && c <= '7';
}

/* Undo the kernel's seq_escape(): "\ooo" is the byte of that octal value. */
static void unescape(char *s)
{
	char *out = s;

	while (*s) {
		if (s[0] == '\\' && is_odigit(s[1]) && is_odigit(s[2]) && is_odigit(s[3]) &&
		    s[1] <= '3') {
			*out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

/*
 * Split a line at single spaces into at most max fields (the kernel prints
 * one space between columns and escapes spaces in names). Returns the count.
 */
static size_t split(char *line, char **field, size_t max)
{
	size_t n = 0;
	char *sp;

	while (n < max) {
		field[n++] = line;
		sp = strchr(line, ' ');
		if (!sp)
			break;
		*sp = '\0';
		line = sp + 1;
	}
	return n;
}

#define MAX_FIELDS	64

/* Which field of a line holds each known column, from the header; -1 if none. */
static int parse_header(char *line, int *where)
{
	char *field[MAX_FIELDS];
	size_t n, i;
	int c;

	n = split(line, field, MAX_FIELDS);
	for (c = 0; c < NR_COLS; c++) {
		where[c] = -1;
		for (i = 0; i < n; i++)
			if (!strcmp(field[i], col_names[c]))
				where[c] = i;
	}
	return where[COL_NAME] < 0 ? -EPROTO : 0;
}

static int parse_row(const char *line, const int *where, struct proc_row *row)
{
	char *field[MAX_FIELDS];
	size_t n;
	int c;

	row->buf = strdup(line);
	if (!row->buf)
		return -ENOMEM;
	n = split(row->buf, field, MAX_FIELDS);
	for (c = 0; c < NR_COLS; c++) {
		row->col[c] = where[c] >= 0 && (size_t)where[c] < n ? field[where[c]] : NULL;
		if (row->col[c])
			unescape(row->col[c]);
	}
	return row->col[COL_NAME] && *row->col[COL_NAME] ? 0 : -EPROTO;
}

/**
 * proc_read() - read /proc/sections into @table
 *
 * Return: 0; -errno of open(2) or read(2); -ENOMEM; -EPROTO when the file
 * does not look like /proc/sections.
 */
int proc_read(struct proc_table *table)
{
	int where[NR_COLS], ret = 0;
	char *buf, *line, *save = NULL;
	struct proc_row *rows;
	size_t cap = 0;

	memset(table, 0, sizeof(*table));
	buf = read_all(PROC_SECTIONS, &ret);
	if (!buf)
		return ret;
	line = strtok_r(buf, "\n", &save);
	if (!line || parse_header(line, where)) {
		free(buf);
		return -EPROTO;
	}
	while ((line = strtok_r(NULL, "\n", &save))) {
		if (table->nr == cap) {
			cap = cap ? 2 * cap : 16;
			rows = realloc(table->rows, cap * sizeof(*rows));
			if (!rows) {
				ret = -ENOMEM;
				break;
			}
			table->rows = rows;
		}
		ret = parse_row(line, where, &table->rows[table->nr]);
		if (ret) {
			free(table->rows[table->nr].buf);
			break;
		}
		table->nr++;
	}
	free(buf);
	if (ret)
		proc_free(table);
	return ret;
}

void proc_free(struct proc_table *table)
{
	size_t i;

	for (i = 0; i < table->nr; i++)
		free(table->rows[i].buf);
	free(table->rows);
	memset(table, 0, sizeof(*table));
}

/* A name as the kernel keeps it: without a "Global\" or "Local\" prefix. */
const char *strip_prefix(const char *name)
{
	static const char *const prefixes[] = { "Global\\", "Local\\" };
	size_t i, len;

	for (i = 0; i < ARRAY_SIZE(prefixes); i++) {
		len = strlen(prefixes[i]);
		if (!strncmp(name, prefixes[i], len))
			return name + len;
	}
	return name;
}

/* Whether @row is a name in the Global\ scope (a module without the column has none). */
bool proc_row_global(const struct proc_row *row)
{
	return row->col[COL_SCOPE] && !strcmp(row->col[COL_SCOPE], "global");
}

/*
 * The row of the bare @name in the global scope, or in the caller's own local
 * scope (that of its effective uid, as the kernel looks names up), or NULL.
 */
const struct proc_row *proc_find_scoped(const struct proc_table *table, const char *name,
					bool global)
{
	const struct proc_row *row;
	char uid[24];
	size_t i;

	snprintf(uid, sizeof(uid), "%u", (unsigned int)geteuid());
	for (i = 0; i < table->nr; i++) {
		row = &table->rows[i];
		if (strcmp(row->col[COL_NAME], name) || proc_row_global(row) != global)
			continue;
		if (!global && row->col[COL_SCOPE] && row->col[COL_UID] &&
		    strcmp(row->col[COL_UID], uid))
			continue;
		return row;
	}
	return NULL;
}

/* The row of @name as open would find it (a prefix says the scope), or NULL. */
const struct proc_row *proc_find(const struct proc_table *table, const char *name)
{
	return proc_find_scoped(table, strip_prefix(name),
				!strncmp(name, GLOBAL_PREFIX, strlen(GLOBAL_PREFIX)));
}
