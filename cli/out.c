// SPDX-License-Identifier: GPL-2.0
/*
 * Output helpers. A section name may hold any byte but NUL and backslash:
 * for a terminal, control characters are shown as octal escapes so that a
 * name cannot move the cursor or forge a line; in JSON, names are escaped as
 * the RFC 8259 grammar wants and bytes that are not UTF-8 become U+FFFD
 * (a JSON text must be UTF-8).
 */
#include <grp.h>
#include <pwd.h>
#include <string.h>

#include "cli.h"

/* @s for a terminal: bytes below 0x20, DEL and backslash as \ooo, the rest as is. */
void put_text(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			fprintf(f, "\\%03o", *p);
		else
			putc(*p, f);
	}
}

/* Length of the valid UTF-8 sequence at @p (1 to 4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (*p < 0x80)
		return 1;
	if (*p >= 0xc2 && *p <= 0xdf)
		len = 2;
	else if (*p >= 0xe0 && *p <= 0xef)
		len = 3;
	else if (*p >= 0xf0 && *p <= 0xf4)
		len = 4;
	else
		return 0;
	/* No overlong forms, no surrogates, nothing above U+10FFFF. */
	if (*p == 0xe0)
		lo = 0xa0;
	else if (*p == 0xed)
		hi = 0x9f;
	else if (*p == 0xf0)
		lo = 0x90;
	else if (*p == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/* @s as a JSON string, quotes included. */
void put_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len;

	putc('"', f);
	while (*p) {
		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p++);
		} else if (*p == '\n') {
			fputs("\\n", f);
			p++;
		} else if (*p == '\t') {
			fputs("\\t", f);
			p++;
		} else if (*p < 0x20) {
			fprintf(f, "\\u%04x", *p++);
		} else {
			len = utf8_len(p);
			if (!len) {
				fputs("\\ufffd", f);
				p++;
			} else {
				fwrite(p, 1, len, f);
				p += len;
			}
		}
	}
	putc('"', f);
}

/* Whether @s is a non-empty string of decimal digits (a valid JSON number if no leading 0s). */
bool is_number(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* A decimal column of /proc/sections as a JSON number; null when unknown or malformed. */
void put_json_num(FILE *f, const char *digits)
{
	if (!is_number(digits) || (digits[0] == '0' && digits[1])) {
		fputs("null", f);
		return;
	}
	fputs(digits, f);
}

/* The user's name, or the number when @numeric or when the uid has no name. */
const char *user_name(unsigned long uid, bool numeric, char *buf, size_t size)
{
	struct passwd *pw = numeric ? NULL : getpwuid(uid);

	if (pw && pw->pw_name)
		return pw->pw_name;
	snprintf(buf, size, "%lu", uid);
	return buf;
}

const char *group_name(unsigned long gid, bool numeric, char *buf, size_t size)
{
	struct group *gr = numeric ? NULL : getgrgid(gid);

	if (gr && gr->gr_name)
		return gr->gr_name;
	snprintf(buf, size, "%lu", gid);
	return buf;
}
