// SPDX-License-Identifier: GPL-2.0
/*
 * `sections list` (from /proc/sections) and `sections info NAME` (from a
 * query handle, plus the /proc/sections row for what only it tells:
 * resident and dirty pages).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* ---- list ---- */

/* The text columns of `list`, NAME last so that names with blanks do not shift columns. */
static const struct {
	const char *title;
	enum proc_col col;
	bool right;			/* right-aligned (numbers) */
} list_cols[] = {
	{ "SIZE", COL_SIZE, true }, { "BACKING", COL_BACKING, false },
	{ "OWNER", COL_UID, false }, { "GROUP", COL_GID, false }, { "MODE", COL_MODE, false },
	{ "HANDLES", COL_HANDLES, true }, { "VIEWS", COL_VIEWS, true },
	{ "RESIDENT", COL_RESIDENT, true }, { "DIRTY", COL_DIRTY, true },
};
#define NR_LIST_COLS	ARRAY_SIZE(list_cols)

/* What a cell shows: owners and groups by name unless --numeric; "-" when unknown. */
static const char *cell(const struct options *opt, const struct proc_row *row,
			enum proc_col col, char *buf, size_t size)
{
	const char *s = row->col[col];

	if (!s || !*s)
		return "-";
	if ((col == COL_UID || col == COL_GID) && is_number(s)) {
		unsigned long id = strtoul(s, NULL, 10);

		s = col == COL_UID ? user_name(id, opt->numeric, buf, size) :
				     group_name(id, opt->numeric, buf, size);
	}
	return s;
}

static void list_text(const struct options *opt, const struct proc_table *t)
{
	size_t width[NR_LIST_COLS], i, c, len;
	char buf[32];

	for (c = 0; c < NR_LIST_COLS; c++) {
		width[c] = strlen(list_cols[c].title);
		for (i = 0; i < t->nr; i++) {
			len = strlen(cell(opt, &t->rows[i], list_cols[c].col, buf, sizeof(buf)));
			if (len > width[c])
				width[c] = len;
		}
	}
	for (c = 0; c < NR_LIST_COLS; c++)
		printf(list_cols[c].right ? "%*s  " : "%-*s  ", (int)width[c],
		       list_cols[c].title);
	puts("NAME");
	for (i = 0; i < t->nr; i++) {
		for (c = 0; c < NR_LIST_COLS; c++)
			printf(list_cols[c].right ? "%*s  " : "%-*s  ", (int)width[c],
			       cell(opt, &t->rows[i], list_cols[c].col, buf, sizeof(buf)));
		put_name(stdout, t->rows[i].col[COL_NAME], proc_row_global(&t->rows[i]));
		putchar('\n');
	}
}

/* A string column as a JSON string, or null when unknown. */
static void json_str_or_null(const char *s)
{
	if (s)
		put_json_str(stdout, s);
	else
		fputs("null", stdout);
}

static void list_json_row(const struct proc_row *row)
{
	putchar('{');
	put_json_name(stdout, row->col[COL_NAME], proc_row_global(row));
	fputs(",\"size\":", stdout);
	put_json_num(stdout, row->col[COL_SIZE]);
	fputs(",\"backing\":", stdout);
	json_str_or_null(row->col[COL_BACKING]);
	fputs(",\"uid\":", stdout);
	put_json_num(stdout, row->col[COL_UID]);
	fputs(",\"gid\":", stdout);
	put_json_num(stdout, row->col[COL_GID]);
	fputs(",\"mode\":", stdout);
	json_str_or_null(row->col[COL_MODE]);
	fputs(",\"handles\":", stdout);
	put_json_num(stdout, row->col[COL_HANDLES]);
	fputs(",\"views\":", stdout);
	put_json_num(stdout, row->col[COL_VIEWS]);
	fputs(",\"resident\":", stdout);
	put_json_num(stdout, row->col[COL_RESIDENT]);
	fputs(",\"dirty\":", stdout);
	put_json_num(stdout, row->col[COL_DIRTY]);
	putchar('}');
}

/* One section per line, so that line tools can handle it too. */
static void list_json(const struct proc_table *t)
{
	size_t i;

	printf("{\"page_size\":%ld,\"sections\":[", sysconf(_SC_PAGESIZE));
	for (i = 0; i < t->nr; i++) {
		fputs(i ? ",\n" : "\n", stdout);
		list_json_row(&t->rows[i]);
	}
	puts(t->nr ? "\n]}" : "]}");
}

int cmd_list(const struct options *opt)
{
	struct proc_table t;
	int ret;

	ret = proc_read(&t);
	if (ret)
		return err_proc(ret);
	if (opt->json)
		list_json(&t);
	else
		list_text(opt, &t);
	proc_free(&t);
	return EXIT_OK;
}

/* ---- info ---- */

static const char *protection_name(uint32_t prot)
{
	switch (prot) {
	case SECTIONS_PAGE_READONLY:		return "readonly";
	case SECTIONS_PAGE_READWRITE:		return "readwrite";
	case SECTIONS_PAGE_WRITECOPY:		return "writecopy";
	case SECTIONS_PAGE_EXECUTE_READ:	return "execute_read";
	case SECTIONS_PAGE_EXECUTE_READWRITE:	return "execute_readwrite";
	case SECTIONS_PAGE_EXECUTE_WRITECOPY:	return "execute_writecopy";
	}
	return "unknown";
}

/*
 * What `info` shows, as strings: from the query when there is one, from the
 * /proc/sections row otherwise (and for resident and dirty always). NULL is
 * unknown.
 */
struct info {
	const char *col[NR_COLS];
	bool queried;
	bool global;
	struct sections_info q;
	char name[SECTIONS_NAME_MAX + 1];
	char num[NR_COLS][24];
	char mode[8];
};

static void info_from_query(struct info *in)
{
	static const enum proc_col cols[] = { COL_UID, COL_GID, COL_HANDLES, COL_VIEWS };
	/* Handles as `list` shows them: without the one this command holds. */
	const uint32_t vals[] = { in->q.uid, in->q.gid, in->q.handles - 1, in->q.views };
	size_t i;

	in->queried = true;
	in->col[COL_NAME] = in->name;
	snprintf(in->num[COL_SIZE], sizeof(in->num[0]), "%" PRIu64, (uint64_t)in->q.size);
	in->col[COL_SIZE] = in->num[COL_SIZE];
	in->col[COL_BACKING] = in->q.backing == SECTIONS_BACKING_FILE ? "file" :
			       in->q.backing == SECTIONS_BACKING_PAGEFILE ? "pagefile" : "unknown";
	for (i = 0; i < ARRAY_SIZE(cols); i++) {
		snprintf(in->num[cols[i]], sizeof(in->num[0]), "%" PRIu32, vals[i]);
		in->col[cols[i]] = in->num[cols[i]];
	}
	snprintf(in->mode, sizeof(in->mode), "%04o", in->q.mode & 07777);
	in->col[COL_MODE] = in->mode;
}

static void text_line(const char *label, const char *val, const char *unit)
{
	printf("%-13s%s%s\n", label, val ? val : "unknown", val && unit ? unit : "");
}

static void info_text(const struct options *opt, const struct info *in)
{
	static const char denied[] = "unknown (no query access)";
	long ps = sysconf(_SC_PAGESIZE);
	const char *size = in->col[COL_SIZE];
	char buf[64], idbuf[32];
	unsigned long id;

	printf("%-13s", "name:");
	put_name(stdout, in->col[COL_NAME], in->global);
	putchar('\n');
	if (is_number(size))
		printf("%-13s%s bytes (%" PRIu64 " pages of %ld bytes)\n", "size:", size,
		       (uint64_t)(strtoull(size, NULL, 10) / ps), ps);
	else
		text_line("size:", NULL, NULL);
	text_line("backing:", in->col[COL_BACKING], NULL);
	text_line("protection:", in->queried ? protection_name(in->q.protection) : denied,
		  NULL);
	text_line("attributes:", !in->queried ? denied :
		  in->q.attributes & SECTIONS_ATTR_NORESERVE ? "noreserve" : "none", NULL);
	if (is_number(in->col[COL_UID])) {
		id = strtoul(in->col[COL_UID], NULL, 10);
		snprintf(buf, sizeof(buf), "%s (uid %lu)",
			 user_name(id, false, idbuf, sizeof(idbuf)), id);
		text_line("owner:", opt->numeric ? in->col[COL_UID] : buf, NULL);
	} else {
		text_line("owner:", NULL, NULL);
	}
	if (is_number(in->col[COL_GID])) {
		id = strtoul(in->col[COL_GID], NULL, 10);
		snprintf(buf, sizeof(buf), "%s (gid %lu)",
			 group_name(id, false, idbuf, sizeof(idbuf)), id);
		text_line("group:", opt->numeric ? in->col[COL_GID] : buf, NULL);
	} else {
		text_line("group:", NULL, NULL);
	}
	text_line("mode:", in->col[COL_MODE], NULL);
	text_line("handles:", in->col[COL_HANDLES], NULL);
	text_line("views:", in->col[COL_VIEWS], NULL);
	text_line("resident:", in->col[COL_RESIDENT], " pages");
	text_line("dirty:", in->col[COL_DIRTY], " pages");
	if (!in->queried)
		text_line("write error:", denied, NULL);
	else if (!in->q.write_error)
		text_line("write error:", "none", NULL);
	else
		printf("%-13s%s (errno %u)\n", "write error:", strerror(in->q.write_error),
		       in->q.write_error);
}

static void info_json(const struct info *in)
{
	putchar('{');
	put_json_name(stdout, in->col[COL_NAME], in->global);
	fputs(",\"size\":", stdout);
	put_json_num(stdout, in->col[COL_SIZE]);
	printf(",\"page_size\":%ld,\"backing\":", sysconf(_SC_PAGESIZE));
	json_str_or_null(in->col[COL_BACKING]);
	fputs(",\"protection\":", stdout);
	json_str_or_null(in->queried ? protection_name(in->q.protection) : NULL);
	fputs(",\"attributes\":", stdout);
	fputs(!in->queried ? "null" : in->q.attributes & SECTIONS_ATTR_NORESERVE ?
	      "[\"noreserve\"]" : "[]", stdout);
	fputs(",\"uid\":", stdout);
	put_json_num(stdout, in->col[COL_UID]);
	fputs(",\"gid\":", stdout);
	put_json_num(stdout, in->col[COL_GID]);
	fputs(",\"mode\":", stdout);
	json_str_or_null(in->col[COL_MODE]);
	fputs(",\"handles\":", stdout);
	put_json_num(stdout, in->col[COL_HANDLES]);
	fputs(",\"views\":", stdout);
	put_json_num(stdout, in->col[COL_VIEWS]);
	fputs(",\"resident\":", stdout);
	put_json_num(stdout, in->col[COL_RESIDENT]);
	fputs(",\"dirty\":", stdout);
	put_json_num(stdout, in->col[COL_DIRTY]);
	if (in->queried)
		printf(",\"write_error\":%u,\"query_access\":true}\n", in->q.write_error);
	else
		puts(",\"write_error\":null,\"query_access\":false}");
}

int cmd_info(const struct options *opt, const char *name)
{
	const struct proc_row *row;
	struct proc_table t;
	struct info in;
	int dev, h, ret, c;

	dev = open_device();
	if (dev < 0)
		return EXIT_ERROR;
	memset(&in, 0, sizeof(in));
	h = sections_open(dev, name, SECTIONS_ACCESS_QUERY, SECTIONS_HANDLE_CLOEXEC);
	close(dev);
	if (h >= 0) {
		ret = sections_query(h, &in.q, in.name, sizeof(in.name));
		close(h);
		if (ret)
			return err_open(name, ret);
		info_from_query(&in);
	} else if (h != -EACCES) {
		return err_open(name, h);
	}
	/* /proc/sections is read after the query: it has no handle of ours in it then. */
	ret = proc_read(&t);
	if (ret)
		return err_proc(ret);
	if (in.queried) {
		in.global = in.q.attributes & SECTIONS_ATTR_GLOBAL_NAME;
		row = proc_find_scoped(&t, in.name, in.global);
	} else {
		row = proc_find(&t, name);
	}
	if (!in.queried) {
		if (!row) {
			proc_free(&t);
			return err_open(name, h);
		}
		in.global = proc_row_global(row);
		for (c = 0; c < NR_COLS; c++)
			in.col[c] = row->col[c];
		fputs("sections: ", stderr);
		put_arg_name(stderr, name);
		fputs(": query access denied: showing what " PROC_SECTIONS " tells\n", stderr);
	} else if (row) {
		in.col[COL_RESIDENT] = row->col[COL_RESIDENT];
		in.col[COL_DIRTY] = row->col[COL_DIRTY];
	}
	if (opt->json)
		info_json(&in);
	else
		info_text(opt, &in);
	proc_free(&t);
	return EXIT_OK;
}
