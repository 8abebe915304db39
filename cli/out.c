// SPDX-License-Identifier: GPL-2.0
/*
 * Output helpers. A section name may hold any byte but NUL and backslash,
 * and anyone may name a section: for a terminal, what could move the cursor,
 * forge a line or reorder the text around it is escaped (see put_text()); in
 * JSON, names are escaped as the RFC 8259 grammar wants, those characters
 * too, and bytes that are not UTF-8 become U+FFFD (a JSON text must be
 * UTF-8), which is why "name_hex" gives the exact bytes as well.
 */
#include <grp.h>
#include <pwd.h>
#include <string.h>

#include "cli.h"

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

/* The code point of the valid UTF-8 sequence of @len bytes at @p. */
static uint32_t utf8_char(const unsigned char *p, size_t len)
{
	static const unsigned char lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t c = *p & lead_mask[len];
	size_t i;

	for (i = 1; i < len; i++)
		c = c << 6 | (p[i] & 0x3f);
	return c;
}

/*
 * Code points a terminal acts on rather than shows: C1 controls (U+009B is
 * CSI); the bidi embeddings, overrides and isolates, which reorder what
 * follows them on the line, and the invisible marks that do as much for
 * their neighbours (ALM U+061C, LRM U+200E, RLM U+200F); the line and
 * paragraph separators (U+2028, U+2029), which some break lines on.
 */
static bool is_hidden(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x061c || c == 0x200e || c == 0x200f ||
	       (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/*
 * @s for a terminal: C0 controls, DEL, backslash and bytes that are not
 * UTF-8 as \ooo (the byte in octal, as /proc/sections writes it), C1 and
 * bidi controls as \uXXXX (the code point in lowercase hex), the rest as is.
 */
void put_text(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len;
	uint32_t c;

	while (*p) {
		len = utf8_len(p);
		c = len ? utf8_char(p, len) : 0;
		if (!len || c < 0x20 || c == 0x7f || c == '\\') {
			fprintf(f, "\\%03o", *p++);
		} else if (is_hidden(c)) {
			fprintf(f, "\\u%04x", c);
			p += len;
		} else {
			fwrite(p, 1, len, f);
			p += len;
		}
	}
}

/* @s as a JSON string, quotes included. */
void put_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len;
	uint32_t c;

	putc('"', f);
	while (*p) {
		len = utf8_len(p);
		if (!len) {
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		c = utf8_char(p, len);
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", (int)c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f || is_hidden(c))
			fprintf(f, "\\u%04x", c);
		else
			fwrite(p, 1, len, f);
		p += len;
	}
	putc('"', f);
}

/* "name":..., "name_hex":... for @name: readable, and its exact bytes in lowercase hex. */
void put_json_name(FILE *f, const char *name, bool global)
{
	char full[sizeof(GLOBAL_PREFIX) + SECTIONS_NAME_MAX + 1];
	const unsigned char *p = (const unsigned char *)full;

	/* A global name as one would open it, "Global\\x"; a local one bare. */
	snprintf(full, sizeof(full), "%s%s", global ? GLOBAL_PREFIX : "", name);
	fputs("\"name\":", f);
	put_json_str(f, full);
	fputs(",\"name_hex\":\"", f);
	for (; *p; p++)
		fprintf(f, "%02x", *p);
	putc('"', f);
}

/* A section's name, for a terminal: the Global\ prefix of a global one as it is. */
void put_name(FILE *f, const char *name, bool global)
{
	if (global)
		fputs(GLOBAL_PREFIX, f);
	put_text(f, name);
}

/* A NAME the user gave: a Global\ or Local\ prefix as it is, the rest escaped. */
void put_arg_name(FILE *f, const char *arg)
{
	const char *bare = strip_prefix(arg);

	fwrite(arg, 1, bare - arg, f);
	put_text(f, bare);
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
