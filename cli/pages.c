// SPDX-License-Identifier: GPL-2.0
/*
 * `sections pages NAME`: the state of each page of a section, from
 * sections_query_pages(). Text: one character per page, 64 to a row, and a
 * "dirty" line under a row that has dirty pages; rows equal to the one above
 * become one "*" line, as in hexdump(1), so that a large sparse section stays
 * short. JSON: runs of pages in the same state.
 *
 * Pages are queried CHUNK at a time, so any size of section takes little
 * memory; each chunk is a snapshot of its own.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define ROW		64
#define CHUNK		(64 * ROW)

/* The legend of the text map; kept in step with sections(1). */
static const char legend[] =
	"# .    not resident              0  resident, mapped by no view\n"
	"# 1-9  mapped that many times    +  mapped more than 9 times\n"
	"# d    (on the \"dirty\" line under a row) not yet in its backing store\n"
	"# *    (alone on a line) rows equal to the row above\n";

struct text_map {
	const struct options *opt;
	uint64_t last;		/* last page shown */
	int pw, ow;		/* widths of the page number and of the hex offset */
	long ps;
	/* The row being filled and the last row printed, with their dirty lines. */
	char map[ROW + 1], dirty[ROW + 1];
	char prev_map[ROW + 1], prev_dirty[ROW + 1];
	unsigned int fill;
	uint64_t row_page;	/* first page of the row being filled */
	bool have_prev, starred;
};

static char page_char(const struct sections_page_info *pi)
{
	if (!(pi->flags & SECTIONS_PAGE_RESIDENT))
		return '.';
	if (pi->share_count > 9)
		return '+';
	return '0' + pi->share_count;
}

static int digits(uint64_t v, unsigned int base)
{
	int n = 1;

	while (v >= base) {
		v /= base;
		n++;
	}
	return n;
}

static void print_row(struct text_map *m)
{
	size_t len;

	/* 80 columns with the narrowest page and offset fields. */
	printf("%*" PRIu64 " 0x%0*" PRIx64 " %s\n", m->pw, m->row_page, m->ow,
	       m->row_page * m->ps, m->map);
	/* The dirty line without trailing blanks, and only when there is a dirty page. */
	len = strlen(m->dirty);
	while (len && m->dirty[len - 1] == ' ')
		len--;
	if (len)
		printf("%*s %*s %.*s\n", m->pw, "", m->ow + 2, "dirty", (int)len, m->dirty);
}

/* The filled row is complete: print it, or fold it into a "*" line. */
static void end_row(struct text_map *m)
{
	bool last = m->row_page + m->fill > m->last;
	bool same = m->have_prev && !strcmp(m->map, m->prev_map) &&
		    !strcmp(m->dirty, m->prev_dirty);

	/* The last row is always printed, so that the map shows where it ends. */
	if (same && !last && !m->opt->all) {
		if (!m->starred)
			puts("*");
		m->starred = true;
	} else {
		print_row(m);
		m->starred = false;
	}
	memcpy(m->prev_map, m->map, sizeof(m->map));
	memcpy(m->prev_dirty, m->dirty, sizeof(m->dirty));
	m->have_prev = true;
	m->row_page += m->fill;
	m->fill = 0;
}

static void text_add(struct text_map *m, const struct sections_page_info *pi)
{
	m->map[m->fill] = page_char(pi);
	m->dirty[m->fill] = pi->flags & SECTIONS_PAGE_DIRTY ? 'd' : ' ';
	m->fill++;
	m->map[m->fill] = m->dirty[m->fill] = '\0';
	if (m->fill == ROW || m->row_page + m->fill > m->last)
		end_row(m);
}

/* Runs of equal pages, for --json. */
struct json_runs {
	struct sections_page_info cur;
	uint64_t first, len;
	bool any;
};

static void json_run_end(struct json_runs *r)
{
	if (!r->len)
		return;
	printf("%s{\"page\":%" PRIu64 ",\"count\":%" PRIu64 ",\"share_count\":%u,"
	       "\"resident\":%s,\"dirty\":%s}", r->any ? ",\n" : "\n", r->first, r->len,
	       r->cur.share_count, r->cur.flags & SECTIONS_PAGE_RESIDENT ? "true" : "false",
	       r->cur.flags & SECTIONS_PAGE_DIRTY ? "true" : "false");
	r->any = true;
}

static void json_add(struct json_runs *r, uint64_t page, const struct sections_page_info *pi)
{
	const uint32_t mask = SECTIONS_PAGE_RESIDENT | SECTIONS_PAGE_DIRTY;

	if (r->len && r->cur.share_count == pi->share_count &&
	    (r->cur.flags & mask) == (pi->flags & mask)) {
		r->len++;
		return;
	}
	json_run_end(r);
	r->cur = *pi;
	r->first = page;
	r->len = 1;
}

struct range {
	const char *name;	/* as the query gave it, without prefix */
	bool global;		/* in the Global\ scope */
	const char *backing;
	uint64_t pages;		/* in the section */
	uint64_t start, count;
	long ps;
};

static void header(const struct options *opt, const struct range *r)
{
	if (opt->json) {
		putchar('{');
		put_json_name(stdout, r->name, r->global);
		printf(",\"page_size\":%ld,\"pages\":%" PRIu64 ",\"start\":%" PRIu64
		       ",\"count\":%" PRIu64 ",\"runs\":[", r->ps, r->pages, r->start, r->count);
		return;
	}
	fputs("# ", stdout);
	put_name(stdout, r->name, r->global);
	printf(": %" PRIu64 " pages of %ld bytes, %s-backed; pages %" PRIu64 "-%" PRIu64
	       "\n%s", r->pages, r->ps, r->backing, r->start, r->start + r->count - 1, legend);
}

/* Query and print the range; returns 0 or a negative errno of the query. */
static int show(const struct options *opt, int h, const struct range *r)
{
	struct sections_page_info *pi;
	struct text_map m = { .opt = opt, .ps = r->ps };
	struct json_runs runs = { .len = 0 };
	uint64_t done, n, i;
	int ret = 0;

	pi = malloc(CHUNK * sizeof(*pi));
	if (!pi)
		return -ENOMEM;
	m.last = r->start + r->count - 1;
	m.row_page = r->start;
	m.pw = digits(m.last, 10);
	m.pw = m.pw < 4 ? 4 : m.pw;
	m.ow = digits(m.last * r->ps, 16);
	m.ow = m.ow < 8 ? 8 : m.ow;
	header(opt, r);
	for (done = 0; done < r->count; done += n) {
		n = r->count - done < CHUNK ? r->count - done : CHUNK;
		ret = sections_query_pages(h, (r->start + done) * r->ps, n, pi);
		if (ret)
			break;
		for (i = 0; i < n; i++) {
			if (opt->json)
				json_add(&runs, r->start + done + i, &pi[i]);
			else
				text_add(&m, &pi[i]);
		}
	}
	if (opt->json && !ret) {
		json_run_end(&runs);
		puts("\n]}");
	}
	free(pi);
	return ret;
}

/* The range --start and --count ask for, checked against the section. */
static int pick_range(const struct options *opt, struct range *r)
{
	r->start = opt->have_start ? opt->start : 0;
	if (r->start >= r->pages) {
		err("page %" PRIu64 " is past the end of the section (%" PRIu64 " pages)",
		    r->start, r->pages);
		return -1;
	}
	r->count = opt->have_count ? opt->count : r->pages - r->start;
	if (r->count > r->pages - r->start) {
		err("pages %" PRIu64 " to %" PRIu64 " reach past the end of the section (%"
		    PRIu64 " pages)", r->start, r->start + r->count - 1, r->pages);
		return -1;
	}
	return 0;
}

int cmd_pages(const struct options *opt, const char *name)
{
	char qname[SECTIONS_NAME_MAX + 1];
	struct sections_info q;
	struct range r = { .name = qname, .ps = sysconf(_SC_PAGESIZE) };
	int dev, h, ret;

	dev = open_device();
	if (dev < 0)
		return EXIT_ERROR;
	h = sections_open(dev, name, SECTIONS_ACCESS_QUERY, SECTIONS_HANDLE_CLOEXEC);
	close(dev);
	if (h < 0)
		return err_open(name, h);
	ret = sections_query(h, &q, qname, sizeof(qname));
	if (ret) {
		close(h);
		return err_open(name, ret);
	}
	r.global = q.attributes & SECTIONS_ATTR_GLOBAL_NAME;
	r.backing = q.backing == SECTIONS_BACKING_FILE ? "file" : "pagefile";
	r.pages = q.size / r.ps;
	if (pick_range(opt, &r)) {
		close(h);
		return EXIT_ERROR;
	}
	ret = show(opt, h, &r);
	close(h);
	if (ret) {
		fflush(stdout);
		fputs("sections: querying the pages of '", stderr);
		put_arg_name(stderr, qname);
		fprintf(stderr, "': %s\n", strerror(-ret));
		return EXIT_ERROR;
	}
	return EXIT_OK;
}
