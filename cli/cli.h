/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sections(1): the command-line tool over libsections and /proc/sections.
 * Shared by sections.c (options, errors), proc.c (/proc/sections), out.c
 * (escaping for terminals and JSON), info.c (list, info) and pages.c.
 */
#ifndef SECTIONS_CLI_H
#define SECTIONS_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <sections.h>

#define CLI_VERSION	"1.0"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Exit codes, as documented in sections(1). */
#define EXIT_OK		0
#define EXIT_ERROR	1	/* not found, denied, I/O and other runtime errors */
#define EXIT_USAGE	2	/* malformed command line */

#ifndef PROC_SECTIONS
#define PROC_SECTIONS	"/proc/sections"
#endif

struct options {
	bool json;
	bool numeric;		/* uids and gids as numbers, not names */
	bool all;		/* pages: no "*" for repeated rows */
	bool have_start, have_count;
	uint64_t start, count;	/* pages: first page and number of pages */
};

/* The columns of /proc/sections this tool knows, in the kernel's order. */
enum proc_col {
	COL_NAME, COL_SIZE, COL_BACKING, COL_UID, COL_GID, COL_MODE, COL_HANDLES,
	COL_VIEWS, COL_RESIDENT, COL_DIRTY, COL_SCOPE, NR_COLS
};

#define GLOBAL_PREFIX	"Global\\"

/*
 * One row of /proc/sections. col[] points into the row's own copy of the
 * line: the name unescaped, the others as the kernel printed them; NULL for
 * a column this module's /proc/sections does not have.
 */
struct proc_row {
	char *col[NR_COLS];
	char *buf;
};

struct proc_table {
	struct proc_row *rows;
	size_t nr;
};

/* proc.c */
int proc_read(struct proc_table *table);
void proc_free(struct proc_table *table);
const struct proc_row *proc_find(const struct proc_table *table, const char *name);
const struct proc_row *proc_find_scoped(const struct proc_table *table, const char *name,
					bool global);
bool proc_row_global(const struct proc_row *row);
const char *strip_prefix(const char *name);

/* out.c */
void put_text(FILE *f, const char *s);
void put_json_str(FILE *f, const char *s);
void put_json_name(FILE *f, const char *name, bool global);
void put_name(FILE *f, const char *name, bool global);
void put_arg_name(FILE *f, const char *arg);
void put_json_num(FILE *f, const char *digits);
bool is_number(const char *s);
const char *user_name(unsigned long uid, bool numeric, char *buf, size_t size);
const char *group_name(unsigned long gid, bool numeric, char *buf, size_t size);

/* sections.c */
void err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int err_open(const char *name, int ret);
int err_proc(int ret);
int open_device(void);

/* info.c, pages.c: each returns the process's exit code. */
int cmd_list(const struct options *opt);
int cmd_info(const struct options *opt, const char *name);
int cmd_pages(const struct options *opt, const char *name);

#endif /* SECTIONS_CLI_H */
