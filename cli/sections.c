// SPDX-License-Identifier: GPL-2.0
/*
 * sections: like ipcs(1) for the NT section objects of the sections kernel
 * module. `sections list`, `sections info NAME`, `sections pages NAME`, each
 * with --json. See man/man1/sections.1.
 *
 * This file: the command line, and the messages and exit codes of errors.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
	"Usage: sections [OPTION]... COMMAND [NAME]\n"
	"Show the named sections (Windows NT section objects) of the sections kernel module.\n"
	"\n"
	"Commands:\n"
	"  list          the named sections visible to the caller, one a line\n"
	"  info NAME     everything known about the section NAME\n"
	"  pages NAME    a map of the pages of NAME: resident, share count, dirty\n"
	"\n"
	"Options:\n"
	"  -j, --json          print JSON instead of text\n"
	"  -n, --numeric       owners and groups as numbers (list, info)\n"
	"  -s, --start=PAGE    first page to show (pages; default 0)\n"
	"  -c, --count=PAGES   number of pages to show (pages; default: to the end)\n"
	"  -a, --all           print repeated rows of the map too, not one \"*\" (pages)\n"
	"  -h, --help          print this help and exit\n"
	"  -V, --version       print the version and exit\n"
	"\n"
	"NAME may carry a \"Global\\\" or \"Local\\\" prefix; put \"--\" before a NAME that\n"
	"starts with \"-\".\n"
	"\n"
	"Exit status: 0 on success, 1 on errors (no such section, access denied...),\n"
	"2 on a bad command line.\n";

static const struct option long_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "numeric", no_argument, NULL, 'n' },
	{ "start", required_argument, NULL, 's' },
	{ "count", required_argument, NULL, 'c' },
	{ "all", no_argument, NULL, 'a' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* "sections: " and the message, on stderr. */
void err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("sections: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	putc('\n', stderr);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("sections: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'sections --help' for more information.\n", stderr);
	return EXIT_USAGE;
}

/*
 * The message for a failed sections_open() of @name, and the exit code: a
 * malformed name is a usage error, the rest are runtime errors.
 */
int err_open(const char *name, int ret)
{
	fflush(stdout);
	fputs("sections: ", stderr);
	switch (ret) {
	case -ENOENT:
		fputs("no section named '", stderr);
		put_arg_name(stderr, name);
		fputs("'\n", stderr);
		return EXIT_ERROR;
	case -EINVAL:
	case -ENAMETOOLONG:
		fputs("invalid section name '", stderr);
		put_arg_name(stderr, name);
		fprintf(stderr, "' (%s)\n", ret == -EINVAL ?
			"empty, or a backslash outside a Global\\ or Local\\ prefix" :
			"longer than 255 bytes");
		return EXIT_USAGE;
	}
	put_arg_name(stderr, name);
	switch (ret) {
	case -EACCES:
		fputs(": permission denied (the section's mode does not grant query access)\n",
		      stderr);
		break;
	case -EMEDIUMTYPE:
		fputs(": not a section (the name is held by another kind of object)\n", stderr);
		break;
	default:
		fprintf(stderr, ": %s\n", strerror(-ret));
	}
	return EXIT_ERROR;
}

/* The message for a failed proc_read(). */
int err_proc(int ret)
{
	if (ret == -ENOENT)
		err("%s: %s (is the sections module loaded?)", PROC_SECTIONS, strerror(-ret));
	else if (ret == -EPROTO)
		err("%s: unexpected format", PROC_SECTIONS);
	else
		err("%s: %s", PROC_SECTIONS, strerror(-ret));
	return EXIT_ERROR;
}

/* /dev/sections, or -1 after the message. */
int open_device(void)
{
	int dev = sections_open_device();

	if (dev >= 0)
		return dev;
	if (dev == -ENOENT || dev == -ENXIO || dev == -ENODEV)
		err("%s: %s (is the sections module loaded?)", SECTIONS_DEVICE_PATH,
		    strerror(-dev));
	else
		err("%s: %s", SECTIONS_DEVICE_PATH, strerror(-dev));
	return -1;
}

/* A page number or count: decimal digits only (no sign, no spaces). */
static int parse_u64(const char *opt, const char *arg, uint64_t *val)
{
	char *end;

	if (!is_number(arg))
		goto bad;
	errno = 0;
	*val = strtoull(arg, &end, 10);
	if (errno || *end)
		goto bad;
	return 0;
bad:
	return usage_error("invalid %s '%s': a number of pages is wanted", opt, arg);
}

static int parse_options(int argc, char **argv, struct options *opt)
{
	int c;

	/* getopt's own messages would start with argv[0], not "sections:". */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jns:c:ahV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			opt->json = true;
			break;
		case 'n':
			opt->numeric = true;
			break;
		case 's':
			opt->have_start = true;
			if (parse_u64("--start", optarg, &opt->start))
				return EXIT_USAGE;
			break;
		case 'c':
			opt->have_count = true;
			if (parse_u64("--count", optarg, &opt->count))
				return EXIT_USAGE;
			if (!opt->count)
				return usage_error("--count must be at least 1");
			break;
		case 'a':
			opt->all = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(fflush(stdout) ? EXIT_ERROR : EXIT_OK);
		case 'V':
			printf("sections %s (libsections %d.%d)\n", CLI_VERSION,
			       LIBSECTIONS_VERSION_MAJOR, LIBSECTIONS_VERSION_MINOR);
			exit(fflush(stdout) ? EXIT_ERROR : EXIT_OK);
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			/* A value given to an option that takes none ("--json=x"). */
			if (optopt && strchr("jnahV", optopt))
				return usage_error("option '%s' takes no value", argv[optind - 1]);
			if (optopt)
				return usage_error("unknown option '-%c'", optopt);
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	return 0;
}

/* Run the command in argv[0..argc-1] (after the options). */
static int run(const struct options *opt, int argc, char **argv)
{
	const char *cmd;
	bool pages;

	if (argc < 1)
		return usage_error("no command given (list, info or pages)");
	cmd = argv[0];
	pages = !strcmp(cmd, "pages");
	if (strcmp(cmd, "list") && strcmp(cmd, "info") && !pages)
		return usage_error("unknown command '%s' (list, info or pages)", cmd);
	if (!pages && (opt->have_start || opt->have_count || opt->all))
		return usage_error("--start, --count and --all are options of 'pages' only");
	if (!strcmp(cmd, "list")) {
		if (argc > 1)
			return usage_error("'list' takes no argument");
		return cmd_list(opt);
	}
	if (argc < 2)
		return usage_error("'%s' needs a section name", cmd);
	if (argc > 2)
		return usage_error("'%s' takes one section name", cmd);
	return pages ? cmd_pages(opt, argv[1]) : cmd_info(opt, argv[1]);
}

int main(int argc, char **argv)
{
	struct options opt = { 0 };
	int ret;

	ret = parse_options(argc, argv, &opt);
	if (ret)
		return ret;
	ret = run(&opt, argc - optind, argv + optind);
	/* Output that did not reach its file is an error too (a full disk, a closed pipe). */
	if (fflush(stdout) || ferror(stdout)) {
		err("write error: %s", strerror(errno));
		return EXIT_ERROR;
	}
	return ret;
}
